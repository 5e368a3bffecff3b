package io.mailroom.mailauth.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer.Status;
import io.mailroom.mailauth.spf.SpfEvaluator;
import io.mailroom.mailauth.spf.SpfResult;
import io.mailroom.testkit.UnboundServer;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link DnsjavaResolver} against a real Unbound serving local zones on loopback. */
class DnsjavaResolverIT {
    static final String BIG = "x".repeat(250);
    static UnboundServer unbound;
    static DnsjavaResolver dns;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static UnboundServer server() {
        UnboundServer server = new UnboundServer();
        server.zone("mailauth.test", z -> {
            z.record("mailauth.test", "SOA", "ns.mailauth.test. hostmaster.mailauth.test. 1 3600 600 86400 30")
                    .txtStrings("mailauth.test", List.of(bytes("v=spf1 "), bytes("ip4:127.0.0.0/24 "), bytes("-all")))
                    .txt("mailauth.test", "another record")
                    .mx("mailauth.test", 20, "mx2.mailauth.test").mx("mailauth.test", 10, "mx1.mailauth.test")
                    .a("mx1.mailauth.test", "127.0.0.11").a("mx2.mailauth.test", "127.0.0.12")
                    .aaaa("mx1.mailauth.test", "::1")
                    .a("host.mailauth.test", "127.0.0.10")
                    .cname("alias.mailauth.test", "host.mailauth.test")
                    .txtStrings("binary.mailauth.test", List.of(bytes("v=spf1 \u0000\u0001\u0080\u00ff -all")))
                    .txt("spf.mailauth.test", "v=spf1 include:inc.mailauth.test ip4:192.0.2.0/24 mx a:host.mailauth.test -all")
                    .txt("inc.mailauth.test", "v=spf1 ip4:198.51.100.0/24 ~all")
                    .txtStrings("big.mailauth.test", java.util.Collections.nCopies(16, bytes(BIG)))
                    .servfail("broken.mailauth.test")
                    .ttl(1).txt("short.mailauth.test", "short-lived");
        });
        server.zone("0.0.127.in-addr.arpa", z -> z.ptr("127.0.0.10", "host.mailauth.test"));
        return server;
    }

    @BeforeAll
    static void start() {
        unbound = server();
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
    void servfailAndRefusedAreTempfail() {
        assertThat(dns.txt("broken.mailauth.test").status()).isEqualTo(Status.TEMPFAIL);
        // names outside the test zones are REFUSED by the resolver
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
        assertThat(spf.checkMailFrom(InetAddress.getByName("127.0.0.1"), "a@broken.mailauth.test", "h.test").result())
                .isEqualTo(SpfResult.Result.TEMPERROR);
    }

    @Test
    void cacheKeepsAnswersForTheirTtlAndNegativeAnswersForTheSoaMinimum() throws Exception {
        UnboundServer own = server();
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
    void concurrentLookupsShareTheCache() throws Exception {
        DnsjavaResolver shared = DnsjavaResolver.builder().server("127.0.0.1", unbound.port()).build();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    boolean ok = true;
                    for (int i = 0; i < 200; i++) {
                        ok &= shared.a("host.mailauth.test").records().equals(List.of(InetAddress.getByName("127.0.0.10")));
                        ok &= shared.txt("missing" + (i % 5) + ".mailauth.test").status() == Status.NXDOMAIN;
                    }
                    return ok;
                }));
            }
            for (var f : results) {
                assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(shared.cacheSize()).isEqualTo(6);
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
