package io.mailroom.mailauth.authresults;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.dkim.DkimResult;
import io.mailroom.mailauth.message.HeaderField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticationResultsTest {

    @Test
    void buildsOurField() {
        DkimResult pass = new DkimResult(DkimResult.Status.PASS, null, "example.com", "@example.com", "sel", "rsa-sha256", "abcdefghijklmnop", -1, false, 2048);
        DkimResult fail = new DkimResult(DkimResult.Status.FAIL, "body hash did not verify", "example.net", "@example.net", "s2", "ed25519-sha256", "ZZZZ1234xyz", -1, false, 256);
        Map<String, String> policy = new LinkedHashMap<>();
        policy.put("policy.dmarc", "reject");
        policy.put("policy.published-domain-policy", "reject");
        AuthenticationResults ar = AuthenticationResults.builder("mx.mailroom.test")
                .spf("pass", "alice@example.com", "client.example.com")
                .dkim(List.of(pass, fail))
                .arc(new ArcVerifier.Result(ArcVerifier.Status.PASS, null, 2, 1, "example.org"), "127.0.0.2")
                .dmarc("pass", "example.com", policy);
        assertThat(ar.value()).isEqualTo("mx.mailroom.test; spf=pass smtp.mailfrom=alice@example.com; "
                + "dkim=pass header.d=example.com header.i=@example.com header.s=sel header.a=rsa-sha256 header.b=abcdefgh; "
                + "dkim=fail reason=\"body hash did not verify\" header.d=example.net header.i=@example.net header.s=s2 header.a=ed25519-sha256 header.b=ZZZZ1234; "
                + "arc=pass header.oldest-pass=1 smtp.remote-ip=127.0.0.2; "
                + "dmarc=pass header.from=example.com policy.dmarc=reject policy.published-domain-policy=reject");
        HeaderField h = ar.header();
        assertThat(h.raw()).startsWith("Authentication-Results: mx.mailroom.test;\r\n\t").endsWith("\r\n");
        // what we write, we read back
        AuthenticationResults back = AuthenticationResults.parse(h);
        assertThat(back.authservId()).isEqualTo("mx.mailroom.test");
        assertThat(back.results()).isEqualTo(ar.results());
    }

    @Test
    void heloIdentityAndNoneAndQuoting() {
        AuthenticationResults ar = AuthenticationResults.builder("mx.test").spf("none", "", "helo.example.com")
                .add("x-test", "neutral", "a \"quoted\" \\ reason", Map.of("header.x", "value with space"));
        assertThat(ar.value()).isEqualTo("mx.test; spf=none smtp.helo=helo.example.com; x-test=neutral reason=\"a \\\"quoted\\\" \\\\ reason\" header.x=\"value with space\"");
        AuthResult back = AuthenticationResults.parse(ar.value()).results("x-test").get(0);
        assertThat(back.reason()).isEqualTo("a \"quoted\" \\ reason");
        assertThat(back.property("header.x")).isEqualTo("value with space");
        assertThat(AuthenticationResults.builder("mx.test").value()).isEqualTo("mx.test; none");
        assertThat(AuthenticationResults.builder("mx.test").dkim(List.of()).value()).isEqualTo("mx.test; dkim=none");
    }

    @Test
    void parsesRfc8601Examples() {
        AuthenticationResults a = AuthenticationResults.parse(" example.com; none");
        assertThat(a.authservId()).isEqualTo("example.com");
        assertThat(a.results()).isEmpty();

        AuthenticationResults b = AuthenticationResults.parse(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
        assertThat(b.results()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("spf");
            assertThat(r.result()).isEqualTo("pass");
            assertThat(r.property("smtp.mailfrom")).isEqualTo("example.net");
        });

        AuthenticationResults c = AuthenticationResults.parse(" example.com 1;\r\n   auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                + "   spf=pass smtp.mailfrom=example.net;\r\n   sender-id=pass header.from=example.net (a comment; with semicolon)");
        assertThat(c.results()).extracting(AuthResult::method).containsExactly("auth", "spf", "sender-id");
        assertThat(c.results("auth").get(0).property("smtp.auth")).isEqualTo("sender@example.net");

        AuthenticationResults d = AuthenticationResults.parse(" mail-router.example.net;\r\n   dkim=pass (good signature) header.d=newyork.example.com\r\n"
                + "         header.b=oINEO8hg;\r\n   dkim=fail (bad signature) header.d=newyork.example.com\r\n         header.b=EToRSuvU");
        assertThat(d.results("dkim")).extracting(r -> r.property("header.b")).containsExactly("oINEO8hg", "EToRSuvU");

        AuthenticationResults e = AuthenticationResults.parse(" \"quoted.id\" ; dkim = pass reason = \"ok; fine\" header . d = example.com");
        assertThat(e.authservId()).isEqualTo("quoted.id");
        assertThat(e.results()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("ok; fine");
            assertThat(r.property("header.d")).isEqualTo("example.com");
        });
    }

    @Test
    void rejectsGarbageWithoutThrowing() {
        for (String bad : List.of("", ";", "example.com; dkim", "example.com; =pass", "example.com; dkim=pass (unclosed", "example.com; dkim=pass reason=\"open",
                "example.com; dkim=pass nodot=x", "a b c; dkim=pass")) {
            assertThat(AuthenticationResults.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void recognisesFieldsClaimingOurAuthservId() {
        assertThat(AuthenticationResults.claims(HeaderField.of("Authentication-Results", " MX.Mailroom.Test; dkim=pass"), "mx.mailroom.test")).isTrue();
        assertThat(AuthenticationResults.claims(HeaderField.of("Authentication-Results", " mx.mailroom.test; this is (not valid"), "mx.mailroom.test")).isTrue();
        assertThat(AuthenticationResults.claims(HeaderField.of("Authentication-Results", " other.example; dkim=pass"), "mx.mailroom.test")).isFalse();
        assertThat(AuthenticationResults.claims(HeaderField.of("Subject", " mx.mailroom.test; dkim=pass"), "mx.mailroom.test")).isFalse();
    }
}
