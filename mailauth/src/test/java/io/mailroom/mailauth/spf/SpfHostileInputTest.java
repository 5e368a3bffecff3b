package io.mailroom.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.dns.IpLiterals;
import io.mailroom.mailauth.dns.MapDnsResolver;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Hostile records, macros, DNS data and identities: always a defined SPF result, never an exception or a hang. */
class SpfHostileInputTest {
    private static final InetAddress CLIENT = IpLiterals.parse("192.0.2.1");
    private static final Duration LIMIT = Duration.ofSeconds(5);

    private static SpfResult check(MapDnsResolver dns, String mailFrom) {
        return assertTimeoutPreemptively(LIMIT, () -> new SpfEvaluator(dns).checkMailFrom(CLIENT, mailFrom, "helo.test"));
    }

    private static SpfResult checkRecord(String record) {
        return check(MapDnsResolver.builder().txt("hostile.test", record).build(), "x@hostile.test");
    }

    @TestFactory
    Stream<DynamicTest> malformedRecordsArePermerror() {
        return Stream.of("v=spf1 a:", "v=spf1 ip4:999.1.1.1", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip6:::1/129",
                        "v=spf1 ip6:1:2:3", "v=spf1 ip4:01.2.3.4", "v=spf1 a/024", "v=spf1 mx//129", "v=spf1 a:%{",
                        "v=spf1 a:%{z}.test", "v=spf1 a:%{d0}.test", "v=spf1 a:%{dx}.test", "v=spf1 exists:%{c}.test",
                        "v=spf1 include:%{ir", "v=spf1 redirect=", "v=spf1 exp=", "v=spf1 -all:foo", "v=spf1 ~~all",
                        "v=spf1 =", "v=spf1 :", "v=spf1 ptr:", "v=spf1 bogus", "v=spf1 a:host.123",
                        "v=spf1 redirect=a.test redirect=b.test", "v=spf1 exp=a.test exp=b.test", "v=spf1 a:foo.test\t-all",
                        "v=spf1 \u0000 -all", "v=spf1 \u00ff -all", "v=spf1 a:%", "v=spf1 foo=%{", "v=spf1 include:",
                        "v=spf1 exists", "v=spf1 ip4", "v=spf1 ip6:", "v=spf1 +", "v=spf1 -")
                .map(r -> DynamicTest.dynamicTest(r.replaceAll("\\p{Cntrl}", "?"),
                        () -> assertThat(checkRecord(r).result()).isEqualTo(SpfResult.Result.PERMERROR)));
    }

    @Test
    void absurdMacrosStayBounded() {
        // legal but absurd transformers: a huge digit count, every delimiter
        assertThat(checkRecord("v=spf1 exists:%{l1000000000000r+-.,/_=}.x.test -all").result()).isEqualTo(SpfResult.Result.FAIL);
        // long expansions are cut to 253 characters from the left (RFC 7208 §4.8)
        String many = IntStream.range(0, 50).mapToObj(i -> "%{d}").collect(Collectors.joining("."));
        assertThat(checkRecord("v=spf1 a:" + many + ".test -all").result()).isEqualTo(SpfResult.Result.FAIL);
        // a local-part of 10,000 characters through many macros: the expansion limit stops it
        String big = IntStream.range(0, 200).mapToObj(i -> "%{l}").collect(Collectors.joining());
        SpfResult r = check(MapDnsResolver.builder().txt("hostile.test", "v=spf1 exists:" + big + ".test -all").build(),
                "a".repeat(10_000) + "@hostile.test");
        assertThat(r.result()).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(r.problem()).contains("too long");
        // %{p} on a client without PTR is "unknown"
        assertThat(checkRecord("v=spf1 exists:%{p}.%{v}.%{h}.%{i}.%{o}.test -all").result()).isEqualTo(SpfResult.Result.FAIL);
    }

    @Test
    void includeAndRedirectLoopsEndInPermerror() {
        MapDnsResolver dns = MapDnsResolver.builder()
                .txt("a.test", "v=spf1 include:b.test -all")
                .txt("b.test", "v=spf1 include:a.test -all")
                .txt("self.test", "v=spf1 include:self.test -all")
                .txt("r.test", "v=spf1 redirect=r.test")
                .txt("r1.test", "v=spf1 redirect=r2.test")
                .txt("r2.test", "v=spf1 redirect=r1.test")
                .txt("mixed.test", "v=spf1 include:mixed2.test redirect=mixed.test")
                .txt("mixed2.test", "v=spf1 redirect=mixed.test")
                .build();
        for (String d : List.of("a.test", "self.test", "r.test", "r1.test", "mixed.test")) {
            SpfResult r = check(dns, "x@" + d);
            assertThat(r.result()).as(d).isEqualTo(SpfResult.Result.PERMERROR);
            assertThat(r.problem()).as(d).contains("DNS lookups");
        }
    }

    @Test
    void hundredMechanismRecords() {
        String lookups = IntStream.range(0, 100).mapToObj(i -> "a:h" + i + ".hostile.test").collect(Collectors.joining(" "));
        MapDnsResolver.Builder b = MapDnsResolver.builder().txt("hostile.test", "v=spf1 " + lookups + " -all");
        IntStream.range(0, 100).forEach(i -> b.a("h" + i + ".hostile.test", "198.51.100." + (i + 1)));
        SpfResult r = check(b.build(), "x@hostile.test");
        assertThat(r.result()).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(r.problem()).contains("more than 10 DNS lookups");

        String ips = IntStream.range(0, 100).mapToObj(i -> "ip4:198.51.100." + i).collect(Collectors.joining(" "));
        assertThat(checkRecord("v=spf1 " + ips + " -all").result()).isEqualTo(SpfResult.Result.FAIL);
        assertThat(checkRecord("v=spf1 " + ips + " ip4:192.0.2.0/24 -all").result()).isEqualTo(SpfResult.Result.PASS);

        String terms = IntStream.range(0, 5000).mapToObj(i -> "?all").collect(Collectors.joining(" "));
        assertThat(checkRecord("v=spf1 " + terms).result()).isEqualTo(SpfResult.Result.PERMERROR);
    }

    @Test
    void voidLookupsAndMxLimits() {
        assertThat(checkRecord("v=spf1 a:n1.test a:n2.test a:n3.test -all").result()).isEqualTo(SpfResult.Result.PERMERROR);
        MapDnsResolver.Builder b = MapDnsResolver.builder().txt("hostile.test", "v=spf1 mx -all");
        IntStream.range(0, 11).forEach(i -> b.mx("hostile.test", i, "mx" + i + ".test"));
        assertThat(check(b.build(), "x@hostile.test").result()).isEqualTo(SpfResult.Result.PERMERROR);
        // one MX name with 1000 addresses: examined, no error
        MapDnsResolver.Builder wide = MapDnsResolver.builder().txt("hostile.test", "v=spf1 mx -all").mx("hostile.test", 0, "mx.test");
        IntStream.range(0, 1000).forEach(i -> wide.a("mx.test", "10." + (i / 250) + "." + (i % 250) + ".1"));
        assertThat(check(wide.build(), "x@hostile.test").result()).isEqualTo(SpfResult.Result.FAIL);
    }

    @Test
    void dnsAnswersOfTheWrongShape() {
        // binary junk in the TXT data, a 100 KB record, a bare version, competing records, look-alike versions
        assertThat(checkRecord("v=spf1 \u0001\u0080\u00ff\ufffd -all").result()).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(checkRecord("v=spf1 " + "ip4:198.51.100.1 ".repeat(6000) + "-all").result()).isEqualTo(SpfResult.Result.PERMERROR);
        assertThat(checkRecord("v=spf1").result()).isEqualTo(SpfResult.Result.NEUTRAL);
        assertThat(checkRecord("v=spf10 -all").result()).isEqualTo(SpfResult.Result.NONE);
        assertThat(checkRecord("\u0000\u0001\u0002").result()).isEqualTo(SpfResult.Result.NONE);
        MapDnsResolver two = MapDnsResolver.builder().txt("hostile.test", "v=spf1 -all").txt("hostile.test", "V=SPF1 +all").build();
        assertThat(check(two, "x@hostile.test").result()).isEqualTo(SpfResult.Result.PERMERROR);
        // PTR names that are not domain names, an exp= text that is all macros
        MapDnsResolver ptr = MapDnsResolver.builder().txt("hostile.test", "v=spf1 ptr -all exp=e.test")
                .ptr("192.0.2.1", "..").ptr("192.0.2.1", "x".repeat(300)).ptr("192.0.2.1", "hostile.test")
                .txt("e.test", "%{s}".repeat(5000)).build();
        SpfResult r = check(ptr, "x@hostile.test");
        assertThat(r.result()).isEqualTo(SpfResult.Result.FAIL);
        assertThat(r.explanation()).isEqualTo("hostile.test does not designate 192.0.2.1 as a permitted sender");
    }

    @Test
    void brokenResolversGiveTemperror() {
        DnsResolver throwing = new DnsResolver() {
            public DnsAnswer<String> txt(String name) {
                throw new IllegalStateException("boom");
            }

            public DnsAnswer<InetAddress> a(String name) {
                return null;
            }

            public DnsAnswer<InetAddress> aaaa(String name) {
                return null;
            }

            public DnsAnswer<MxRecord> mx(String name) {
                return null;
            }

            public DnsAnswer<String> ptr(InetAddress address) {
                return null;
            }
        };
        SpfResult r = assertTimeoutPreemptively(LIMIT, () -> new SpfEvaluator(throwing).checkMailFrom(CLIENT, "a@b.test", "h.test"));
        assertThat(r.result()).isEqualTo(SpfResult.Result.TEMPERROR);
    }

    @Test
    void slowDnsIsCutByTheTimeBudget() {
        MapDnsResolver.Builder b = MapDnsResolver.builder();
        for (int i = 0; i < 9; i++) {
            b.txt("s" + i + ".test", "v=spf1 include:s" + (i + 1) + ".test -all");
        }
        b.txt("s9.test", "v=spf1 -all");
        MapDnsResolver data = b.build();
        AtomicInteger queries = new AtomicInteger();
        DnsResolver slow = new DnsResolver() {
            private <T> T slowly(java.util.function.Supplier<T> s) {
                queries.incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return s.get();
            }

            public DnsAnswer<String> txt(String name) {
                return slowly(() -> data.txt(name));
            }

            public DnsAnswer<InetAddress> a(String name) {
                return slowly(() -> data.a(name));
            }

            public DnsAnswer<InetAddress> aaaa(String name) {
                return slowly(() -> data.aaaa(name));
            }

            public DnsAnswer<MxRecord> mx(String name) {
                return slowly(() -> data.mx(name));
            }

            public DnsAnswer<String> ptr(InetAddress address) {
                return slowly(() -> data.ptr(address));
            }
        };
        SpfEvaluator spf = new SpfEvaluator(slow, SpfEvaluator.Settings.defaults().withTimeBudget(Duration.ofMillis(350)));
        SpfResult r = assertTimeoutPreemptively(LIMIT, () -> spf.checkMailFrom(CLIENT, "a@s0.test", "h.test"));
        assertThat(r.result()).isEqualTo(SpfResult.Result.TEMPERROR);
        assertThat(queries.get()).isLessThan(10);
    }

    @Test
    void junkIdentities() {
        MapDnsResolver dns = MapDnsResolver.builder().txt("hostile.test", "v=spf1 -all").build();
        SpfEvaluator spf = new SpfEvaluator(dns);
        for (String from : new String[] {"@@@", "a@", "a@.", "a@-", "a@..", "a@[192.0.2.1]", "no-at-sign", "a@" + "x".repeat(300) + ".test",
                "a b@hostile.test\r\n", "%{l}@hostile.test", "a@hostile.test."}) {
            SpfResult r = assertTimeoutPreemptively(LIMIT, () -> spf.checkMailFrom(CLIENT, from, null));
            assertThat(r).as(from).isNotNull();
            assertThat(r.result()).as(from).isIn(SpfResult.Result.NONE, SpfResult.Result.FAIL);
        }
        assertThat(spf.checkMailFrom(CLIENT, "%{l}@hostile.test", "h").result()).isEqualTo(SpfResult.Result.FAIL);
        assertThat(spf.checkHelo(CLIENT, null).result()).isEqualTo(SpfResult.Result.NONE);
        assertThat(spf.checkHelo(CLIENT, "[192.0.2.1]").result()).isEqualTo(SpfResult.Result.NONE);
        assertThat(spf.checkHelo(IpLiterals.parse("2001:db8::1"), "hostile.test").result()).isEqualTo(SpfResult.Result.FAIL);
    }
}
