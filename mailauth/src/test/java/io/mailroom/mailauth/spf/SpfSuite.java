package io.mailroom.mailauth.spf;

import io.mailroom.mailauth.dns.MapDnsResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Loads and runs an openspf.org-format SPF test suite (see vectors/spf, SOURCES.md). */
final class SpfSuite {
    /** One test case and what our evaluator said. */
    record Case(String scenario, String name, String spec, List<String> expected, String expectedExplanation,
                String actual, String actualExplanation, String problem) {
        boolean resultOk() {
            return expected.contains(actual);
        }

        /**
         * Explanations are compared ignoring case: the suite writes the %{ir} nibbles of
         * v-macro-ip6 in upper case (from the test's upper-case client address) while %{c}
         * is lower case; DNS names are case-insensitive.
         */
        boolean explanationOk() {
            return expectedExplanation == null || !"fail".equals(actual)
                    || expectedExplanation.equalsIgnoreCase(String.valueOf(actualExplanation));
        }

        boolean passed() {
            return resultOk() && explanationOk();
        }

        String id() {
            return scenario + " / " + name;
        }

        String describe() {
            return id() + ": expected " + expected + (expectedExplanation != null ? " exp=\"" + expectedExplanation + "\"" : "")
                    + ", got " + actual + (actualExplanation != null ? " exp=\"" + actualExplanation + "\"" : "")
                    + (problem != null ? " (" + problem + ")" : "");
        }
    }

    private SpfSuite() {}

    @SuppressWarnings("unchecked")
    static List<Case> run(String resource) {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = SpfSuite.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(16 * 1024 * 1024);
            for (Object doc : new Yaml(options).loadAll(in)) {
                Map<String, Object> scenario = (Map<String, Object>) doc;
                String description = String.valueOf(scenario.get("description"));
                Map<String, Object> zonedata = (Map<String, Object>) scenario.getOrDefault("zonedata", Map.of());
                MapDnsResolver dns = MapDnsResolver.fromZonedata(zonedata);
                SpfEvaluator spf = new SpfEvaluator(dns, SpfEvaluator.Settings.defaults().withDefaultExplanation("DEFAULT"));
                Map<String, Map<String, Object>> tests = (Map<String, Map<String, Object>>) scenario.get("tests");
                for (Map.Entry<String, Map<String, Object>> t : tests.entrySet()) {
                    cases.add(runCase(spf, description, t.getKey(), t.getValue()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static Case runCase(SpfEvaluator spf, String scenario, String name, Map<String, Object> t) {
        Object result = t.get("result");
        List<String> expected = result instanceof List<?> l
                ? l.stream().map(x -> String.valueOf(x).toLowerCase(Locale.ROOT)).toList()
                : List.of(String.valueOf(result).toLowerCase(Locale.ROOT));
        String helo = String.valueOf(t.get("helo"));
        String mailfrom = t.get("mailfrom") == null ? "" : String.valueOf(t.get("mailfrom"));
        InetAddress ip = io.mailroom.mailauth.dns.IpLiterals.parse(String.valueOf(t.get("host")));
        SpfResult r = mailfrom.isEmpty() ? spf.checkHelo(ip, helo) : spf.checkMailFrom(ip, mailfrom, helo);
        Object exp = t.get("explanation");
        return new Case(scenario, name, String.valueOf(t.get("spec")), expected, exp == null ? null : String.valueOf(exp),
                r.result().keyword(), r.explanation(), r.problem());
    }
}
