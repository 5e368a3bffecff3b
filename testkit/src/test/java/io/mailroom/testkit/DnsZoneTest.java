package io.mailroom.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DnsZoneTest {
    @Test
    void recordsOutsideTheZoneAreRejectedSoTheyCannotLeakToRealDns() {
        DnsZone zone = new DnsZone("Example.TEST.");
        assertThat(zone.name()).isEqualTo("example.test");
        assertThatThrownBy(() -> zone.a("mx.example.org", "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not inside the zone example.test");
        assertThatThrownBy(() -> zone.a("notexample.test", "127.0.0.1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zone.ptr("127.0.0.2", "mx.example.test")).isInstanceOf(IllegalArgumentException.class);
        zone.a("MX.example.test.", "127.0.0.2");
        assertThat(zone.unboundServerLines()).contains("local-data: 'mx.example.test. 300 IN A 127.0.0.2'");
    }

    @Test
    void badValuesCannotInjectConfiguration() {
        DnsZone zone = new DnsZone("example.test");
        assertThatThrownBy(() -> zone.a("example.test", "localhost")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zone.a("example.test", "::1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zone.mx("example.test", 10, "mx\"\n  local-zone: \".\" transparent"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zone.record("example.test", "CAA", "0 issue 'x'")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zone.tlsa("_25._tcp.example.test", 3, 1, 1, "xyz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DnsZone("bad name.test")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void txtIsSplitAt255BytesAndEscaped() {
        DnsZone zone = new DnsZone("example.test").txt("example.test", "x".repeat(300)).txt("q.example.test", "say \"hi\"");
        String lines = zone.unboundServerLines();
        assertThat(lines).contains("IN TXT \"" + "x".repeat(255) + "\" \"" + "x".repeat(45) + "\"'");
        assertThat(lines).contains("IN TXT \"say \\034hi\\034\"'");
    }

    @Test
    void addsAnSoaUnlessOneIsGivenAndServfailNamesGetAForwardZone() {
        DnsZone zone = new DnsZone("example.test").servfail("broken.example.test");
        assertThat(zone.unboundServerLines()).contains("IN SOA ns.example.test.")
                .contains("local-zone: \"broken.example.test.\" transparent");
        assertThat(zone.unboundForwardZones(1)).contains("name: \"broken.example.test.\"").contains("forward-addr: 127.0.0.1@1");
        assertThatThrownBy(() -> zone.servfail("example.test")).isInstanceOf(IllegalArgumentException.class);
        zone.record("example.test", "SOA", "ns1.example.test. admin.example.test. 7 3600 600 86400 60");
        assertThat(zone.unboundServerLines()).doesNotContain("hostmaster").contains("admin.example.test. 7");
    }

    @Test
    void reverseNames() {
        assertThat(DnsZone.reverseName("127.0.0.2")).isEqualTo("2.0.0.127.in-addr.arpa");
        assertThat(DnsZone.reverseName("::1")).isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
    }
}
