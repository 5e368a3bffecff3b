package io.mailroom.mailauth.dkim;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.vectors.Vectors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Mail::DKIM's corpus judged by RFC 6376 + RFC 8301 (rfc8301_expected): the 57 DKIM messages
 * (DomainKeys-only and pre-standard draft-00 messages left out, as SOURCES.md counts them).
 * Message verdict: pass if any signature passes, else fail if any fails cryptographically,
 * else invalid (permerror/neutral/temperror), none without signatures.
 */
class MailDkimCorpusTest {
    private static final String DIR = "dkim/mail-dkim/";

    /** Cases allowed to fail, with the reason. Empty: every case must pass. */
    private static final Map<String, String> KNOWN_FAILURES = Map.of();

    @TestFactory
    Stream<DynamicTest> mailDkimCorpus() {
        JsonNode root = Vectors.json(DIR + "mail-dkim-corpus-expected.json");
        MapDnsResolver dns = MapDnsResolver.fromJson(Vectors.map(Vectors.json(DIR + "mail-dkim-dns.json")));
        Map<String, Supplier<String>> cases = new LinkedHashMap<>();
        for (JsonNode t : root.get("tests")) {
            String category = t.get("category").asText();
            if (category.equals("domainkeys") || category.equals("prestandard-ietf00")) continue;
            String file = t.get("file").asText();
            String want = t.get("rfc8301_expected").asText();
            cases.put(file.replace("corpus/", ""), () -> {
                List<DkimResult> results = new DkimVerifier(dns).verify(Vectors.bytes(DIR + file));
                String got = verdict(results);
                return got.equals(want) ? null : "got " + got + " " + results.stream().map(r -> r.status().value() + "(" + r.reason() + ")").toList() + ", expected " + want;
            });
        }
        return Vectors.run("Mail::DKIM corpus (RFC 8301 expectations)", cases, KNOWN_FAILURES, 57).stream();
    }

    static String verdict(List<DkimResult> results) {
        if (results.isEmpty()) return "none";
        if (results.stream().anyMatch(DkimResult::isPass)) return "pass";
        if (results.stream().anyMatch(r -> r.status() == DkimResult.Status.FAIL)) return "fail";
        return "invalid";
    }
}
