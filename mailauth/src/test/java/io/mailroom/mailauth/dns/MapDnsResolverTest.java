package io.mailroom.mailauth.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The vectors' DNS table formats (SOURCES.md) read into {@link MapDnsResolver}. */
class MapDnsResolverTest {

    @Test
    @SuppressWarnings("unchecked")
    void jsonFormatOfTheDkimAndArcVectors() throws Exception {
        Map<String, Object> json = new ObjectMapper().readValue("""
                {
                  "sel._domainkey.example.com": "v=DKIM1; k=rsa; p=MIGf",
                  "split._domainkey.example.com": ["v=DKIM1; ", "p=AB", "CD"],
                  "gone._domainkey.example.com": null,
                  "slow._domainkey.example.com": ["TIMEOUT"],
                  "fail._domainkey.example.com": ["SERVFAIL"],
                  "empty._domainkey.example.com": "",
                  "Zone.Example.COM.": [{"A": "192.0.2.1"}, {"AAAA": "2001:db8::1"}, {"MX": [10, "mx.example.com."]},
                                        {"TXT": "v=spf1 -all"}, {"TXT": ["a", "b"]}]
                }
                """, Map.class);
        MapDnsResolver dns = MapDnsResolver.fromJson(json);
        assertThat(dns.txt("sel._domainkey.example.com").records()).containsExactly("v=DKIM1; k=rsa; p=MIGf");
        assertThat(dns.txt("SPLIT._domainkey.example.com.").records()).containsExactly("v=DKIM1; p=ABCD");
        assertThat(dns.txt("gone._domainkey.example.com").status()).isEqualTo(Status.NXDOMAIN);
        assertThat(dns.txt("slow._domainkey.example.com").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(dns.txt("fail._domainkey.example.com").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(dns.txt("empty._domainkey.example.com").records()).containsExactly("");
        assertThat(dns.txt("unknown.example.com").status()).isEqualTo(Status.NXDOMAIN);
        assertThat(dns.a("zone.example.com").records()).containsExactly(IpLiterals.parse("192.0.2.1"));
        assertThat(dns.aaaa("zone.example.com").records()).containsExactly(IpLiterals.parse("2001:db8::1"));
        assertThat(dns.mx("zone.example.com").records()).containsExactly(new DnsResolver.MxRecord(10, "mx.example.com"));
        assertThat(dns.txt("zone.example.com").records()).containsExactly("v=spf1 -all", "ab");
        assertThat(dns.ptr(IpLiterals.parse("192.0.2.1")).status()).isEqualTo(Status.NXDOMAIN);
        assertThat(dns.a("sel._domainkey.example.com").status()).isEqualTo(Status.NODATA);
    }

    @Test
    @SuppressWarnings("unchecked")
    void spfSuiteZonedata() {
        Map<String, Object> zone = (Map<String, Object>) new Yaml().load("""
                both.test:
                  - TXT: v=spf1 -all
                  - SPF: v=spf1 +all
                spfonly.test:
                  - SPF: v=spf1 ?all
                none.test:
                  - SPF: v=spf1 ?all
                  - TXT: NONE
                txttimeout.test:
                  - SPF: v=spf1 -all
                  - TXT: NONE
                  - TIMEOUT
                atimeout.test:
                  - TXT: v=spf1 a -all
                  - TIMEOUT
                4.3.2.1.in-addr.arpa:
                  - PTR: host.test
                alias.test:
                  - CNAME: host.test.
                loop1.test:
                  - CNAME: loop2.test
                loop2.test:
                  - CNAME: loop1.test
                host.test:
                  - A: 1.2.3.4
                """);
        MapDnsResolver dns = MapDnsResolver.fromZonedata(zone);
        assertThat(dns.txt("both.test").records()).containsExactly("v=spf1 -all");
        assertThat(dns.txt("spfonly.test").records()).containsExactly("v=spf1 ?all");
        assertThat(dns.txt("none.test").status()).isEqualTo(Status.NODATA);
        assertThat(dns.txt("txttimeout.test").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(dns.txt("atimeout.test").status()).isEqualTo(Status.OK);
        assertThat(dns.a("atimeout.test").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(dns.ptr(IpLiterals.parse("1.2.3.4")).records()).containsExactly("host.test");
        assertThat(dns.a("alias.test").records()).containsExactly(IpLiterals.parse("1.2.3.4"));
        assertThat(dns.cname("alias.test").records()).containsExactly("host.test");
        assertThat(dns.a("loop1.test").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(dns.a("x".repeat(64) + ".test").status()).isEqualTo(Status.NXDOMAIN);
    }

    @Test
    void builderAndReverseNames() {
        MapDnsResolver dns = MapDnsResolver.builder().ptr("2001:db8::1", "v6.test").ptr("192.0.2.7", "v4.test")
                .exists("empty.test").tempfail("x.test", MapDnsResolver.Type.MX).a("x.test", "192.0.2.9").build();
        assertThat(dns.ptr(IpLiterals.parse("2001:db8::1")).records()).containsExactly("v6.test");
        assertThat(ReverseNames.of(IpLiterals.parse("2001:db8::1")))
                .isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
        assertThat(dns.ptr(IpLiterals.parse("192.0.2.7")).records()).containsExactly("v4.test");
        assertThat(dns.txt("empty.test").status()).isEqualTo(Status.NODATA);
        assertThat(dns.mx("x.test").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(dns.a("x.test").status()).isEqualTo(Status.OK);
        assertThat(List.of("1.2.3", "::g", "a.b", "")).allSatisfy(bad ->
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> IpLiterals.parse(bad)).isInstanceOf(IllegalArgumentException.class));
    }
}
