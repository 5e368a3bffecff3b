package io.mailroom.mailauth.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer.Status;
import io.mailroom.mailauth.spf.SpfEvaluator;
import io.mailroom.mailauth.spf.SpfResult;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link DnsjavaResolver} against a real Unbound serving local zones on loopback. */
class DnsjavaResolverIT {
    static final String SOA = "mailauth.test. 3600 IN SOA ns.mailauth.test. hostmaster.mailauth.test. 1 3600 600 86400 30";
    static final String BIG = "x".repeat(250);
    static LocalUnbound unbound;
    static DnsjavaResolver dns;

    static List<String> zoneData() {
        List<String> rr = new ArrayList<>(List.of(
                SOA,
                "mailauth.test. 300 IN TXT \"v=spf1 \" \"ip4:127.0.0.0/24 \" \"-all\"",
                "mailauth.test. 300 IN TXT \"another record\"",
                "mailauth.test. 300 IN MX 20 mx2.mailauth.test.",
                "mailauth.test. 300 IN MX 10 mx1.mailauth.test.",
                "mx1.mailauth.test. 300 IN A 127.0.0.11",
                "mx2.mailauth.test. 300 IN A 127.0.0.12",
                "mx1.mailauth.test. 300 IN AAAA ::1",
                "host.mailauth.test. 300 IN A 127.0.0.10",
                "10.0.0.127.in-addr.arpa. 300 IN PTR host.mailauth.test.",
                "alias.mailauth.test. 300 IN CNAME host.mailauth.test.",
                "binary.mailauth.test. 300 IN TXT \"v=spf1 \\001\\200\\255 -all\"",
                "short.mailauth.test. 1 IN TXT \"short-lived\"",
                "spf.mailauth.test. 300 IN TXT \"v=spf1 include:inc.mailauth.test ip4:192.0.2.0/24 mx a:host.mailauth.test -all\"",
                "inc.mailauth.test. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 ~all\""));
        StringBuilder big = new StringBuilder("big.mailauth.test. 300 IN TXT");
        for (int i = 0; i < 16; i++) {
            big.append(" \"").append(BIG).append('"');
        }
        rr.add(big.toString());
        return rr;
    }

    @BeforeAll
    static void start() {
        unbound = new LocalUnbound(List.of("mailauth.test.", "0.0.127.in-addr.arpa."), zoneData());
        unbound.start();
        dns = DnsjavaResolver.builder().server("127.0.0.1", unbound.port()).timeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        if (unbound != null) {
            unbound.stop();
        }
    }

    @Test
    void txtCharacterStringsAreJoinedPerRecord() {
        DnsAnswer<String> txt = dns.txt("mailauth.test");
        assertThat(txt.status()).isEqualTo(Status.OK);
        assertThat(txt.records()).containsExactlyInAnyOrder("v=spf1 ip4:127.0.0.0/24 -all", "another record");
    }

    @Test
    void addressMxAndPtrAnswers() throws Exception {
        assertThat(dns.a("host.mailauth.test").records()).containsExactly(InetAddress.getByName("127.0.0.10"));
        assertThat(dns.aaaa("mx1.mailauth.test").records()).containsExactly(InetAddress.getByName("::1"));
        assertThat(dns.mx("MailAuth.Test.").records()).containsExactlyInAnyOrder(
                new DnsResolver.MxRecord(10, "mx1.mailauth.test"), new DnsResolver.MxRecord(20, "mx2.mailauth.test"));
        assertThat(dns.ptr(InetAddress.getByName("127.0.0.10")).records()).containsExactly("host.mailauth.test");
    }

    @Test
    void nxdomainAndNodataAreKeptApart() {
        assertThat(dns.a("missing.mailauth.test").status()).isEqualTo(Status.NXDOMAIN);
        assertThat(dns.txt("host.mailauth.test").status()).isEqualTo(Status.NODATA);
        assertThat(dns.a("missing.mailauth.test").isVoid()).isTrue();
    }

    @Test
    void cnameIsFollowed() throws Exception {
        assertThat(dns.a("alias.mailauth.test").records()).containsExactly(InetAddress.getByName("127.0.0.10"));
    }

    @Test
    void servfailIsTempfail() {
        // outside the local zones Unbound would have to recurse, which it may not: SERVFAIL
        assertThat(dns.txt("example.org").status()).isEqualTo(Status.TEMPFAIL);
    }

    @Test
    void unansweredQueriesTimeOutAsTempfail() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsjavaResolver r = DnsjavaResolver.builder().server("127.0.0.1", silent.getLocalPort())
                    .timeout(Duration.ofMillis(300)).build();
            long start = System.nanoTime();
            assertThat(r.txt("mailauth.test").status()).isEqualTo(Status.TEMPFAIL);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(r.cacheSize()).isZero(); // temporary failures are not cached
        }
    }

    @Test
    void nextServerIsTriedWhenOneFails() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsjavaResolver r = DnsjavaResolver.builder().server("127.0.0.1", silent.getLocalPort())
                    .server("127.0.0.1", unbound.port()).timeout(Duration.ofMillis(300)).build();
            assertThat(r.a("host.mailauth.test").status()).isEqualTo(Status.OK);
        }
    }

    @Test
    void largeTxtRecordArrivesWhole() {
        // 4000 bytes: more than the 1232-byte EDNS buffer, so the answer comes over TCP after truncation
        DnsAnswer<String> txt = dns.txt("big.mailauth.test");
        assertThat(txt.status()).isEqualTo(Status.OK);
        assertThat(txt.records()).containsExactly(BIG.repeat(16));
    }

    @Test
    void binaryTxtIsDeliveredAndSpfRejectsIt() throws Exception {
        DnsAnswer<String> txt = dns.txt("binary.mailauth.test");
        assertThat(txt.status()).isEqualTo(Status.OK);
        assertThat(txt.records().get(0)).startsWith("v=spf1 ").endsWith(" -all");
        SpfResult r = new SpfEvaluator(dns).checkMailFrom(InetAddress.getByName("127.0.0.1"), "a@binary.mailauth.test", "h.test");
        assertThat(r.result()).isEqualTo(SpfResult.Result.PERMERROR);
    }

    @Test
    void spfOverRealDns() throws Exception {
        SpfEvaluator spf = new SpfEvaluator(dns);
        assertThat(spf.checkMailFrom(InetAddress.getByName("198.51.100.7"), "a@spf.mailauth.test", "h.test").result())
                .isEqualTo(SpfResult.Result.PASS); // via include
        assertThat(spf.checkMailFrom(InetAddress.getByName("127.0.0.12"), "a@spf.mailauth.test", "h.test").result())
                .isEqualTo(SpfResult.Result.FAIL); // mx of spf.mailauth.test: none
        assertThat(spf.checkMailFrom(InetAddress.getByName("127.0.0.10"), "a@spf.mailauth.test", "h.test").result())
                .isEqualTo(SpfResult.Result.PASS); // a:host
        assertThat(spf.checkMailFrom(InetAddress.getByName("127.0.0.11"), "a@mailauth.test", "h.test").result())
                .isEqualTo(SpfResult.Result.PASS);
        assertThat(spf.checkMailFrom(InetAddress.getByName("127.0.0.1"), "a@nothing.mailauth.test", "h.test").result())
                .isEqualTo(SpfResult.Result.NONE);
        assertThat(spf.checkMailFrom(InetAddress.getByName("127.0.0.1"), "a@example.org", "h.test").result())
                .isEqualTo(SpfResult.Result.TEMPERROR);
    }

    @Test
    void cacheKeepsAnswersForTheirTtlAndNegativeAnswersForTheSoaMinimum() throws Exception {
        LocalUnbound own = new LocalUnbound(List.of("mailauth.test."), zoneData());
        own.start();
        AtomicLong now = new AtomicLong();
        DnsjavaResolver r = DnsjavaResolver.builder().server("127.0.0.1", own.port()).timeout(Duration.ofMillis(500))
                .clock(now::get).build();
        try {
            assertThat(r.txt("mailauth.test").status()).isEqualTo(Status.OK);
            assertThat(r.txt("short.mailauth.test").status()).isEqualTo(Status.OK);
            assertThat(r.a("missing.mailauth.test").status()).isEqualTo(Status.NXDOMAIN);
        } finally {
            own.stop();
        }
        // the server is gone: what is still fresh comes from the cache
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        assertThat(r.txt("mailauth.test").status()).isEqualTo(Status.OK);
        assertThat(r.a("missing.mailauth.test").status()).isEqualTo(Status.NXDOMAIN); // SOA minimum 30 s
        assertThat(r.txt("short.mailauth.test").status()).isEqualTo(Status.TEMPFAIL); // TTL 1 s expired
        now.addAndGet(Duration.ofSeconds(15).toNanos());
        assertThat(r.a("missing.mailauth.test").status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.txt("mailauth.test").status()).isEqualTo(Status.OK); // TTL 300 s
        now.addAndGet(Duration.ofSeconds(300).toNanos());
        assertThat(r.txt("mailauth.test").status()).isEqualTo(Status.TEMPFAIL);
    }

    @Test
    void cacheIsBoundedAndNegativeTtlCapped() {
        DnsjavaResolver small = DnsjavaResolver.builder().server("127.0.0.1", unbound.port()).cacheSize(3)
                .maxNegativeTtl(Duration.ZERO).build();
        small.a("host.mailauth.test");
        small.a("mx1.mailauth.test");
        small.a("mx2.mailauth.test");
        small.txt("mailauth.test");
        small.a("nope.mailauth.test"); // negative TTL capped to 0: not cached
        assertThat(small.cacheSize()).isEqualTo(3);
    }
}
