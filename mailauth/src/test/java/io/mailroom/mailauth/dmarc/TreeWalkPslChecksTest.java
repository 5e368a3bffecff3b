package io.mailroom.mailauth.dmarc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroom.mailauth.dns.MapDnsResolver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * publicsuffix.org's 78 checks mapped to the RFC 9989 DNS Tree Walk: for each check, the DNS
 * holds what its owners would publish, and the walk must find the registrable domain that the
 * PSL names, in at most eight queries. Two publications per check: (a) the registrable domain
 * publishes a DMARC record (an organization that takes part in DMARC); (b) only the public
 * suffix publishes one, with psd=y (a registry that takes part). A name that is itself a public
 * suffix (expected null) has no record above it in (a) and stays its own organizational domain.
 */
class TreeWalkPslChecksTest {
    private record Check(String input, String expected) {}

    private record Outcome(String name, String expected, String actual, int queries) {
        boolean passed() {
            return Objects.equals(expected, actual) && queries <= DnsTreeWalk.MAX_QUERIES;
        }
    }

    @TestFactory
    Stream<DynamicNode> pslChecksByTreeWalk() throws IOException {
        List<Check> checks = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(getClass().getResourceAsStream("/vectors/dmarc/psl-tests.txt")), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("//")) {
                    continue;
                }
                String[] f = line.split("\\s+");
                checks.add(new Check("null".equals(f[0]) ? null : f[0], "null".equals(f[1]) ? null : f[1]));
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        int notNames = 0;
        for (Check c : checks) {
            if (c.input() == null || c.input().startsWith(".")) {
                notNames++; // null and leading-dot inputs are not domain names: DMARC refuses them before any walk
                outcomes.add(notADomainName(c));
                continue;
            }
            String input = c.input().toLowerCase(java.util.Locale.ROOT);
            String expected = c.expected() == null ? null : c.expected().toLowerCase(java.util.Locale.ROOT);
            outcomes.add(walk("(a) record at the registrable domain: " + c.input(), input,
                    expected == null ? MapDnsResolver.builder().build()
                            : MapDnsResolver.builder().txt("_dmarc." + expected, "v=DMARC1; p=none").build(),
                    expected == null ? input : expected));
            if (expected != null && expected.contains(".")) {
                String suffix = expected.substring(expected.indexOf('.') + 1);
                outcomes.add(walk("(b) psd=y at the public suffix: " + c.input(), input,
                        MapDnsResolver.builder().txt("_dmarc." + suffix, "v=DMARC1; p=reject; psd=y").build(), expected));
            }
        }
        long passed = outcomes.stream().filter(Outcome::passed).count();
        System.out.println("DMARC tree walk, PSL checks: " + passed + " of " + outcomes.size() + " passed ("
                + checks.size() + " checks, " + notNames + " not domain names)");
        outcomes.stream().filter(o -> !o.passed()).forEach(o -> System.out.println("  FAILED " + o.name() + ": expected "
                + o.expected() + ", got " + o.actual() + " in " + o.queries() + " queries"));
        return Stream.concat(Stream.of(DynamicTest.dynamicTest("78 checks read", () -> assertEquals(78, checks.size()))),
                outcomes.stream().map(o -> DynamicTest.dynamicTest(o.name(), () -> {
                    assertEquals(o.expected(), o.actual(), o.name());
                    assertTrue(o.queries() <= DnsTreeWalk.MAX_QUERIES, o.queries() + " queries");
                })));
    }

    private static Outcome walk(String name, String input, MapDnsResolver zone, String expected) {
        RecordingResolver dns = new RecordingResolver(zone);
        String org = new DmarcEvaluator(dns, DmarcVersion.RFC9989).organizationalDomain(input);
        return new Outcome(name, expected, org, dns.txtAsked.size());
    }

    private static Outcome notADomainName(Check c) {
        RecordingResolver dns = new RecordingResolver(MapDnsResolver.builder().build());
        DmarcResult r = new DmarcEvaluator(dns).evaluate(new DmarcInput(c.input() == null ? List.of() : List.of(c.input()),
                null, null, List.of()));
        return new Outcome("not a domain name: " + c.input(), "permerror", r.result().keyword(), dns.txtAsked.size());
    }
}
