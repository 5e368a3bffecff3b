package io.mailroom.mailauth.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;

/** Loads conformance vectors from the test class path and reports "N of M passed". */
public final class Vectors {
    private Vectors() {}

    public static byte[] bytes(String path) {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + path)) {
            if (in == null) throw new IllegalStateException("missing test resource vectors/" + path);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    public static JsonNode json(String path) {
        try {
            return new ObjectMapper().readTree(bytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(JsonNode node) {
        return new ObjectMapper().convertValue(node, LinkedHashMap.class);
    }

    /**
     * Runs every case (a supplier returning null on success, else what went wrong), prints the
     * summary line and the failing names, and returns one dynamic test per case. Cases in
     * {@code knownFailures} are reported but do not fail the build. A first test asserts the
     * measured "N of M" exactly: M must be {@code expectedCases} (a suite that silently loads fewer
     * cases fails) and N must be M minus the known failures (a known failure that starts to pass
     * fails too, so that the list is kept true).
     */
    public static List<DynamicTest> run(String label, Map<String, Supplier<String>> cases, Map<String, String> knownFailures,
            int expectedCases) {
        Map<String, String> failures = new LinkedHashMap<>();
        for (var e : cases.entrySet()) {
            String problem;
            try {
                problem = e.getValue().get();
            } catch (RuntimeException ex) {
                problem = "exception " + ex;
            }
            if (problem != null) failures.put(e.getKey(), problem);
        }
        StringBuilder report = new StringBuilder();
        report.append(label).append(": ").append(cases.size() - failures.size()).append(" of ").append(cases.size()).append(" passed\n");
        failures.forEach((k, v) -> report.append("  FAILED ").append(k).append(": ").append(v)
                .append(knownFailures.containsKey(k) ? " (known: " + knownFailures.get(k) + ")" : "").append('\n'));
        System.out.print(report);
        List<DynamicTest> tests = new ArrayList<>();
        int passed = cases.size() - failures.size();
        int expectedPassed = expectedCases - knownFailures.size();
        tests.add(DynamicTest.dynamicTest(label + ": " + expectedPassed + " of " + expectedCases, () -> {
            if (cases.size() != expectedCases) {
                throw new AssertionError(label + ": " + cases.size() + " cases read, expected " + expectedCases);
            }
            if (!failures.keySet().equals(knownFailures.keySet())) {
                throw new AssertionError(label + ": " + passed + " of " + cases.size() + " passed, expected "
                        + expectedPassed + " (failing " + failures.keySet() + ", known " + knownFailures.keySet() + ")");
            }
        }));
        for (String name : cases.keySet()) {
            String problem = failures.get(name);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                if (problem != null && !knownFailures.containsKey(name)) throw new AssertionError(name + ": " + problem);
            }));
        }
        return tests;
    }
}
