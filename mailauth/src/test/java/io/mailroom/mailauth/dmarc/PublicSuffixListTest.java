package io.mailroom.mailauth.dmarc;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** publicsuffix.org's own checks (tests/tests.txt) against the bundled list: the DMARC organizational domain. */
class PublicSuffixListTest {
    private record Check(String input, String expected, String actual) {
        boolean passed() {
            return Objects.equals(expected, actual);
        }
    }

    @TestFactory
    Stream<DynamicNode> pslChecks() throws IOException {
        PublicSuffixList psl = PublicSuffixList.bundled();
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
                String input = "null".equals(f[0]) ? null : f[0];
                String expected = "null".equals(f[1]) ? null : f[1];
                checks.add(new Check(input, expected, psl.registrableDomain(input)));
            }
        }
        long passed = checks.stream().filter(Check::passed).count();
        System.out.println("PSL: " + passed + " of " + checks.size() + " passed");
        checks.stream().filter(c -> !c.passed())
                .forEach(c -> System.out.println("  FAILED " + c.input() + ": expected " + c.expected() + ", got " + c.actual()));
        return Stream.concat(
                Stream.of(DynamicTest.dynamicTest("78 checks read", () -> assertEquals(78, checks.size()))),
                checks.stream().map(c -> DynamicTest.dynamicTest(String.valueOf(c.input()),
                        () -> assertEquals(c.expected(), c.actual(), "registrable domain of " + c.input()))));
    }
}
