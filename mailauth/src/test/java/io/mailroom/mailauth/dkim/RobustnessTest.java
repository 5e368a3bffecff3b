package io.mailroom.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.dns.MapDnsResolver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Hostile input: every case must give a defined result quickly, never an exception or a hang. */
class RobustnessTest {
    static final SigningKey KEY = SigningKey.generateRsa(1024);
    static final String HEAD = "From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\n";

    static String sig(String tags) {
        return "DKIM-Signature: " + tags + "\r\n" + HEAD + "\r\nbody\r\n";
    }

    static final String GOOD_TAGS = "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to:subject; bh=" + Base64.getEncoder().encodeToString(new byte[32])
            + "; b=" + Base64.getEncoder().encodeToString(new byte[128]);

    static Map<String, byte[]> messages() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        Random r = new Random(42);
        byte[] noise = new byte[64 * 1024];
        r.nextBytes(noise);
        m.put("empty", new byte[0]);
        m.put("random bytes", noise);
        m.put("NUL bytes", new byte[4096]);
        m.put("only CR", "\r\r\r\r".repeat(1000).getBytes(StandardCharsets.ISO_8859_1));
        m.put("no separator", (HEAD + "DKIM-Signature: " + GOOD_TAGS).getBytes(StandardCharsets.ISO_8859_1));
        m.put("line without colon", ("garbage line\r\n DKIM-Signature: x\r\n" + sig(GOOD_TAGS)).getBytes(StandardCharsets.ISO_8859_1));
        m.put("5000 header fields", (sig(GOOD_TAGS).replace("Subject: s\r\n", "Subject: s\r\n" + "X-A: b\r\n".repeat(5000)))
                .getBytes(StandardCharsets.ISO_8859_1));
        m.put("2 MB header field", ("DKIM-Signature: " + GOOD_TAGS + "\r\nX-Big: " + "a".repeat(2 * 1024 * 1024) + "\r\n" + HEAD + "\r\nbody\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        m.put("folded 100k continuation lines", ("DKIM-Signature: v=1;" + "\r\n ".repeat(100_000) + GOOD_TAGS.substring(4) + "\r\n" + HEAD + "\r\nb\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        m.put("60 signatures", (("DKIM-Signature: " + GOOD_TAGS + "\r\n").repeat(60) + HEAD + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String[] t : new String[][] {
                {"l negative", GOOD_TAGS + "; l=-5"}, {"l huge", GOOD_TAGS + "; l=99999999999999999999999999999"},
                {"l beyond body", GOOD_TAGS + "; l=100000"}, {"x negative", GOOD_TAGS + "; x=-1"}, {"t letters", GOOD_TAGS + "; t=abc"},
                {"x before t", GOOD_TAGS + "; t=1000000000; x=999999999"},
                {"10k-char h=", GOOD_TAGS.replace("h=from:to:subject", "h=" + "from:".repeat(2000) + "to")},
                {"h= only colons", GOOD_TAGS.replace("h=from:to:subject", "h=:::::")}, {"h= control chars", GOOD_TAGS.replace("h=from", "h=fr\u0001om")},
                {"b not base64", GOOD_TAGS.replace("b=AAAA", "b=!!!!")}, {"bh not base64", GOOD_TAGS.replace("bh=", "bh=%%%")},
                {"a empty", GOOD_TAGS.replace("a=rsa-sha256", "a=")}, {"d empty", GOOD_TAGS.replace("d=example.com", "d=")},
                {"s with space", GOOD_TAGS.replace("s=sel", "s=se l")}, {"8-bit tags", GOOD_TAGS + "; z=\u00e9\u00ff"},
                {"unterminated", "v=1; a"}, {"only equals", "=;=;="}, {"duplicate tags", GOOD_TAGS + "; d=example.org"},
                {"c= too many parts", GOOD_TAGS + "; c=relaxed/relaxed/simple"}, {"q= unknown", GOOD_TAGS + "; q=http"},
                {"i= without @", GOOD_TAGS + "; i=example.com"}, {"key record 1", GOOD_TAGS.replace("s=sel", "s=k1")},
                {"key record 2", GOOD_TAGS.replace("s=sel", "s=k2")}, {"key record 3", GOOD_TAGS.replace("s=sel", "s=k3")},
                {"key record 4", GOOD_TAGS.replace("s=sel", "s=k4")}, {"key record 5", GOOD_TAGS.replace("s=sel", "s=k5")},
                {"key record 6", GOOD_TAGS.replace("s=sel", "s=k6")}, {"key record 7", GOOD_TAGS.replace("s=sel", "s=k7")},
                {"key record 8", GOOD_TAGS.replace("s=sel", "s=k8")}, {"key record 9", GOOD_TAGS.replace("s=sel", "s=k9")}}) {
            m.put(t[0], sig(t[1]).getBytes(StandardCharsets.ISO_8859_1));
        }
        m.put("ARC instance 60", ("ARC-Seal: i=60; a=rsa-sha256; cv=pass; d=example.com; s=sel; b=AAAA\r\n" + HEAD + "\r\nb\r\n").getBytes(StandardCharsets.ISO_8859_1));
        m.put("ARC garbage", ("ARC-Authentication-Results: ((((\r\nARC-Message-Signature: ;;;\r\nARC-Seal: i=1; cv=" + "x".repeat(100_000) + "\r\n" + HEAD + "\r\nb\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        StringBuilder arcs = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            arcs.append("ARC-Seal: i=").append(i).append("; a=rsa-sha256; cv=").append(i == 1 ? "none" : "pass").append("; d=example.com; s=sel; b=AAAA\r\n");
            arcs.append("ARC-Message-Signature: i=").append(i).append("; ").append(GOOD_TAGS.substring(5)).append("\r\n");
            arcs.append("ARC-Authentication-Results: i=").append(i).append("; mx.example.com; none\r\n");
        }
        m.put("ARC 50 sets", (arcs + HEAD + "\r\nb\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return m;
    }

    static MapDnsResolver dns() {
        Random r = new Random(7);
        byte[] junk = new byte[300];
        r.nextBytes(junk);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("sel._domainkey.example.com", KEY.dnsRecord());
        d.put("k1._domainkey.example.com", "");
        d.put("k2._domainkey.example.com", "garbage without tags");
        d.put("k3._domainkey.example.com", "v=DKIM1; p=!!!!");
        d.put("k4._domainkey.example.com", "v=DKIM1; p=" + Base64.getEncoder().encodeToString(junk));
        d.put("k5._domainkey.example.com", "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(new byte[31]));
        d.put("k6._domainkey.example.com", List.of(Map.of("TXT", "v=spf1 -all"), Map.of("TXT", "v=DKIM1; p=")));
        d.put("k7._domainkey.example.com", "v=DKIM1; p=" + "A".repeat(100_000));
        d.put("k8._domainkey.example.com", "v=DKIM1;;; p=\u0000");
        d.put("k9._domainkey.example.com", List.of("SERVFAIL"));
        return MapDnsResolver.fromJson(d);
    }

    @TestFactory
    Stream<DynamicTest> hostileMessagesGiveDefinedResults() {
        MapDnsResolver dns = dns();
        List<DynamicTest> tests = new ArrayList<>();
        messages().forEach((name, bytes) -> tests.add(DynamicTest.dynamicTest(name, () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Message m = Message.parse(bytes);
            assertThat(m.headers().size()).isLessThanOrEqualTo(Message.MAX_HEADER_FIELDS);
            List<DkimResult> results = new DkimVerifier(dns).verify(m);
            assertThat(results).allSatisfy(r -> assertThat(r.status()).isNotNull());
            assertThat(results).noneMatch(DkimResult::isPass);
            assertThat(results.size()).isLessThanOrEqualTo(DkimVerifier.MAX_SIGNATURES + 60);
            ArcVerifier.Result arc = new ArcVerifier(dns).verify(m);
            assertThat(arc.status()).isNotEqualTo(ArcVerifier.Status.PASS);
            for (var h : m.headers()) AuthenticationResults.parse(h.rawValue());
        }))));
        return tests.stream();
    }

    @Test
    void limitsAreRecorded() {
        Message many = Message.parse(messages().get("5000 header fields"));
        assertThat(many.malformed()).isTrue();
        assertThat(many.headers()).hasSize(Message.MAX_HEADER_FIELDS);
        assertThat(new DkimVerifier(dns()).verify(messages().get("60 signatures"))).hasSize(60)
                .filteredOn(r -> "too many signatures".equals(r.reason())).hasSize(50);
        assertThat(new DkimVerifier(dns()).verify(messages().get("l negative")).get(0).reason()).isEqualTo("invalid l=");
        assertThat(new DkimVerifier(dns()).verify(messages().get("l huge")).get(0).reason()).isEqualTo("invalid l=");
        assertThat(new DkimVerifier(dns()).verify(messages().get("x before t")).get(0).reason()).isEqualTo("x= is before t=");
        assertThat(AuthenticationResults.parse("x; " + "(".repeat(100_000))).isNull();
        assertThat(Message.parse(messages().get("line without colon")).malformed()).isTrue();
    }
}
