package io.mailroom.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The real Unbound answers the test's records, and nothing but them. */
class UnboundServerIT {
    /** A DKIM-sized TXT value: longer than one 255-byte character-string. */
    static final String LONG_TXT = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(9) + "IDAQAB";
    static final String TLSA_HASH = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1";

    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension()
            .zone("example.test", z -> z.mx("example.test", 10, "mx.example.test")
                    .a("mx.example.test", "127.0.0.2")
                    .aaaa("mx.example.test", "::1")
                    .txt("example.test", "v=spf1 ip4:127.0.0.1 -all")
                    .txt("sel._domainkey.example.test", LONG_TXT)
                    .txt("quotes.example.test", "a \"quoted\" back\\slash, it's caf\u00e9")
                    .cname("www.example.test", "mx.example.test")
                    .tlsa("_25._tcp.mx.example.test", 3, 1, 1, TLSA_HASH)
                    .servfail("broken.example.test"))
            .zone("127.in-addr.arpa", z -> z.ptr("127.0.0.2", "mx.example.test"));

    static Message query(String name, int type, boolean tcp) throws IOException {
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTCP(tcp);
        resolver.setTimeout(Duration.ofSeconds(3));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
    }

    static Message query(String name, int type) throws IOException {
        return query(name, type, false);
    }

    static List<Record> answers(Message m) {
        return m.getSection(Section.ANSWER);
    }

    @Test
    void answersMxAndAddressRecordsOverUdpAndTcp() throws IOException {
        for (boolean tcp : new boolean[] {false, true}) {
            Message mx = query("example.test", Type.MX, tcp);
            assertThat(mx.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(mx)).singleElement().isInstanceOfSatisfying(MXRecord.class, r -> {
                assertThat(r.getPriority()).isEqualTo(10);
                assertThat(r.getTarget().toString()).isEqualTo("mx.example.test.");
            });
            assertThat(answers(query("mx.example.test", Type.A, tcp))).singleElement()
                    .isInstanceOfSatisfying(ARecord.class, r -> assertThat(r.getAddress().getHostAddress()).isEqualTo("127.0.0.2"));
        }
        assertThat(answers(query("mx.example.test", Type.AAAA))).singleElement()
                .isInstanceOfSatisfying(AAAARecord.class, r -> assertThat(r.getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1"));
    }

    @Test
    void longTxtComesAsSeveralCharacterStringsOfAtMost255Bytes() throws IOException {
        TXTRecord txt = (TXTRecord) answers(query("sel._domainkey.example.test", Type.TXT)).get(0);
        List<byte[]> strings = txt.getStringsAsByteArrays();
        assertThat(LONG_TXT.length()).isGreaterThan(255);
        assertThat(strings).hasSize((LONG_TXT.length() + 254) / 255);
        assertThat(strings.get(0)).hasSize(255);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        strings.forEach(joined::writeBytes);
        assertThat(joined.toString(StandardCharsets.US_ASCII)).isEqualTo(LONG_TXT);

        TXTRecord spf = (TXTRecord) answers(query("example.test", Type.TXT)).get(0);
        assertThat(spf.getStrings()).containsExactly("v=spf1 ip4:127.0.0.1 -all");
    }

    @Test
    void txtKeepsQuotesBackslashesAndUtf8Exactly() throws IOException {
        TXTRecord txt = (TXTRecord) answers(query("quotes.example.test", Type.TXT)).get(0);
        assertThat(new String(txt.getStringsAsByteArrays().get(0), StandardCharsets.UTF_8))
                .isEqualTo("a \"quoted\" back\\slash, it's caf\u00e9");
    }

    @Test
    void answersPtrCnameAndTlsa() throws IOException {
        assertThat(answers(query("2.0.0.127.in-addr.arpa", Type.PTR))).singleElement()
                .isInstanceOfSatisfying(PTRRecord.class, r -> assertThat(r.getTarget().toString()).isEqualTo("mx.example.test."));
        assertThat(answers(query("www.example.test", Type.CNAME))).singleElement()
                .isInstanceOfSatisfying(CNAMERecord.class, r -> assertThat(r.getTarget().toString()).isEqualTo("mx.example.test."));
        assertThat(answers(query("_25._tcp.mx.example.test", Type.TLSA))).singleElement()
                .isInstanceOfSatisfying(TLSARecord.class, r -> {
                    assertThat(r.getCertificateUsage()).isEqualTo(3);
                    assertThat(r.getSelector()).isEqualTo(1);
                    assertThat(r.getMatchingType()).isEqualTo(1);
                    assertThat(r.getCertificateAssociationData()).isEqualTo(java.util.HexFormat.of().parseHex(TLSA_HASH));
                });
    }

    @Test
    void unknownNameInATestZoneIsNxdomainWithTheZoneSoa() throws IOException {
        Message m = query("nobody.example.test", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        // a known name without the asked type: empty answer, not an error
        Message noData = query("mx.example.test", Type.MX);
        assertThat(noData.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answers(noData)).isEmpty();
    }

    @Test
    void namesOutsideTheTestZonesAreRefusedNotLookedUpOnTheInternet() throws IOException {
        for (String name : List.of("example.org", "www.debian.org", "gmail.com", "8.8.8.8.in-addr.arpa")) {
            long start = System.nanoTime();
            Message m = query(name, Type.A);
            assertThat(m.getRcode()).as(name).isEqualTo(Rcode.REFUSED);
            assertThat(answers(m)).as(name).isEmpty();
            // refused at once: no recursion was even tried
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(name).isLessThan(Duration.ofSeconds(1));
        }
        assertThat(query("example.org", Type.MX, true).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void servfailNameAndEverythingBelowItFail() throws IOException {
        assertThat(query("broken.example.test", Type.TXT).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(query("_dmarc.broken.example.test", Type.TXT).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(query("example.test", Type.MX).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void zonesChangeBetweenTests() throws IOException {
        UnboundServer server = dns.server();
        int port = server.port();
        server.zone("changing.test", z -> z.txt("changing.test", "first"));
        assertThat(((TXTRecord) answers(query("changing.test", Type.TXT)).get(0)).getStrings()).containsExactly("first");

        long start = System.nanoTime();
        server.zone("changing.test", z -> z.remove("changing.test", "TXT").txt("changing.test", "second"));
        System.out.printf("unbound restart with new zones: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThat(((TXTRecord) answers(query("changing.test", Type.TXT)).get(0)).getStrings()).containsExactly("second");
        assertThat(server.port()).isEqualTo(port);

        server.replaceZone("changing.test", z -> z.a("host.changing.test", "127.0.0.9"));
        assertThat(answers(query("changing.test", Type.TXT))).isEmpty();
        assertThat(answers(query("host.changing.test", Type.A))).hasSize(1);

        server.removeZone("changing.test");
        // Unbound's built-in zone for the special-use name "test." (RFC 6761) answers the rest of .test
        assertThat(query("host.changing.test", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // the other zones are untouched
        assertThat(answers(query("example.test", Type.MX))).hasSize(1);
    }
}
