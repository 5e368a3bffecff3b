package io.mailroom.mailauth.dkim;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroom.mailauth.arc.ArcSealer;
import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.interop.PeerTools;
import io.mailroom.mailauth.vectors.Vectors;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * dkimpy's own test vectors (dkimpy-vectors.json): verification, sign round trips, one exact ARC
 * set. Each sign round trip (our signer, 4 canonicalizations) is verified by our verifier and by
 * dkimpy itself (Debian python3-dkim), so our signer is never judged by our verifier alone.
 */
class DkimpyVectorsTest {
    private static final String DIR = "dkim/dkimpy/";
    private static final PeerTools PEERS = peers();

    /** Cases allowed to fail, with the reason. Empty: every case must pass. */
    private static final Map<String, String> KNOWN_FAILURES = Map.of();

    @TestFactory
    Stream<DynamicTest> dkimpyVectors() {
        JsonNode root = Vectors.json(DIR + "dkimpy-vectors.json");
        Map<String, Supplier<String>> cases = new LinkedHashMap<>();
        for (JsonNode c : root.get("verify")) cases.put("verify/" + c.get("id").asText(), () -> verifyCase(c));
        for (JsonNode c : root.get("sign_roundtrip")) cases.put("sign/" + c.get("id").asText(), () -> signCase(c));
        for (JsonNode c : root.get("arc_sign_exact")) cases.put("arc/" + c.get("id").asText(), () -> arcCase(c));
        return Vectors.run("dkimpy vectors", cases, KNOWN_FAILURES, 21).stream();
    }

    private static MapDnsResolver dns(JsonNode c) {
        return MapDnsResolver.fromJson(Vectors.map(c.get("dns")));
    }

    private static String verifyCase(JsonNode c) {
        List<DkimResult> results = new DkimVerifier(dns(c)).verify(Vectors.bytes(DIR + c.get("message").asText()));
        List<String> problems = new ArrayList<>();
        c.get("expected").fields().forEachRemaining(e -> {
            int idx = Integer.parseInt(e.getKey());
            if (idx >= results.size()) {
                problems.add("signature " + idx + " missing");
                return;
            }
            DkimResult r = results.get(idx);
            boolean wantPass = e.getValue().asText().equals("pass");
            if (r.isPass() != wantPass) problems.add("signature " + idx + ": " + r.status().value() + " (" + r.reason() + "), expected " + e.getValue().asText());
        });
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static String signCase(JsonNode c) {
        byte[] message = Vectors.bytes(DIR + c.get("message").asText());
        SigningKey key = SigningKey.fromPem(Vectors.text(DIR + c.get("key").asText()));
        if (!key.algorithm().tag().equals(c.get("alg").asText())) return "key read as " + key.algorithm().tag();
        String expected = c.get("expected").asText();
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (Canonicalization hc : Canonicalization.values()) {
            for (Canonicalization bc : Canonicalization.values()) {
                DkimSigner signer = new DkimSigner(new DkimSigner.Key(c.get("domain").asText(), c.get("selector").asText(), key)).canonicalization(hc, bc);
                byte[] signed;
                try {
                    signed = signer.sign(message);
                } catch (DkimSigner.DkimSigningException e) {
                    if (!expected.equals("sign-error")) problems.add(hc.tag() + "/" + bc.tag() + ": signing refused: " + e.getMessage());
                    continue;
                }
                if (expected.equals("sign-error")) {
                    problems.add(hc.tag() + "/" + bc.tag() + ": signing was not refused");
                    continue;
                }
                List<DkimResult> results = new DkimVerifier(dns(c)).verify(signed);
                boolean pass = results.size() == 1 && results.get(0).isPass();
                if (pass != expected.equals("pass")) {
                    problems.add(hc.tag() + "/" + bc.tag() + ": " + (results.isEmpty() ? "no result" : results.get(0).status().value() + " (" + results.get(0).reason() + ")"));
                }
                names.add(hc.tag() + "/" + bc.tag());
                files.add(PEERS.file(c.get("id").asText() + "-" + hc.tag() + "-" + bc.tag() + ".eml", signed).toString());
            }
        }
        if (!files.isEmpty()) {
            // dkimpy, not our verifier, is the judge of what our signer wrote
            problems.addAll(dkimpyVerdicts(c, names, files, expected));
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** One dkimpy run over every signed variant of a case: each must print exactly the expected verdict. */
    private static List<String> dkimpyVerdicts(JsonNode c, List<String> names, List<String> files, String expected) {
        Map<String, String> records = new LinkedHashMap<>();
        c.get("dns").fields().forEachRemaining(e -> records.put(e.getKey(), e.getValue().asText()));
        String dns = PEERS.dns(c.get("id").asText() + "-dns.json", records).toString();
        List<String> args = new ArrayList<>(List.of("verify", files.get(0), dns));
        args.addAll(files.subList(1, files.size()));
        PeerTools.Run run = PEERS.python(args.toArray(String[]::new));
        List<String> problems = new ArrayList<>();
        if (run.exit() != 0 || run.lines().size() != files.size()) {
            problems.add("dkimpy did not run (exit " + run.exit() + "): " + run.err().strip());
            return problems;
        }
        for (int i = 0; i < files.size(); i++) {
            String want = expected.equals("pass") ? "pass" : "fail";
            if (!run.lines().get(i).equals(want)) {
                problems.add(names.get(i) + ": dkimpy says " + run.lines().get(i) + ", expected " + want);
            }
        }
        return problems;
    }

    private static PeerTools peers() {
        try {
            return new PeerTools(Files.createTempDirectory("dkimpy-roundtrip-"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String arcCase(JsonNode c) {
        Message message = Message.parse(Vectors.bytes(DIR + c.get("message").asText()));
        SigningKey key = SigningKey.fromPem(Vectors.text(DIR + c.get("key").asText()));
        Clock clock = Clock.fixed(Instant.ofEpochSecond(c.get("t").asLong()), ZoneOffset.UTC);
        // dkimpy's default signed headers for this message (message-id, date, from, to, subject, from again)
        ArcSealer sealer = new ArcSealer(c.get("domain").asText(), c.get("selector").asText(), key)
                .headers(List.of("message-id", "date", "from", "to", "subject", "from")).clock(clock);
        List<HeaderField> set;
        try {
            set = sealer.seal(message, c.get("srv_id").asText());
        } catch (ArcSealer.ArcSealException e) {
            return "sealing refused: " + e.getMessage();
        }
        List<String> problems = new ArrayList<>();
        int k = 0;
        for (JsonNode exp : c.get("expected_arc_set")) {
            if (k >= set.size()) {
                problems.add("missing header " + k);
                break;
            }
            String want = exp.asText();
            String got = set.get(k).raw();
            if (!tagSet(want).equals(tagSet(got))) problems.add("header " + k + " differs: got " + got.replace("\r\n", "\\r\\n"));
            k++;
        }
        ArcVerifier.Result after = new ArcVerifier(dns(c)).verify(message.prepend(set));
        if (!after.status().value().equals(c.get("expected_cv_after").asText())) problems.add("chain after sealing: " + after);
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** A header as a set of ';'-separated parts with all whitespace removed (name included). */
    static Set<String> tagSet(String header) {
        return new HashSet<>(Arrays.asList(header.replaceAll("\\s+", "").split(";")));
    }
}
