package io.mailroom.mailauth.arc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.dkim.SigningKey;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.dns.MapDnsResolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ARC sealing rules around the chain: cv values, failed chains, the 50-set limit, hops in sequence. */
class ArcSealerTest {
    static final SigningKey KEY = SigningKey.generateRsa(2048);
    static final MapDnsResolver DNS = MapDnsResolver.fromJson(Map.of("arc._domainkey.example.org", KEY.dnsRecord()));
    static final String MSG = "From: a@example.com\r\nTo: list@example.org\r\nSubject: s\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\n\r\nbody\r\n";

    static Message hop(Message m, String authservId) throws Exception {
        ArcVerifier.Result chain = new ArcVerifier(DNS).verify(m);
        Message withAr = m.prepend(List.of(AuthenticationResults.builder(authservId).arc(chain, "127.0.0.1").header()));
        return withAr.prepend(new ArcSealer("example.org", "arc", KEY).seal(withAr, authservId, chain.status()));
    }

    @Test
    void threeHopsStayValidWithOldestPass() throws Exception {
        Message m = Message.parse(MSG.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 1; i <= 3; i++) m = hop(m, "mx" + i + ".example.org");
        ArcVerifier.Result r = new ArcVerifier(DNS).verify(m);
        assertThat(r.status()).isEqualTo(ArcVerifier.Status.PASS);
        assertThat(r.instances()).isEqualTo(3);
        assertThat(r.oldestPass()).isEqualTo(1);
        assertThat(r.sealDomain()).isEqualTo("example.org");
        assertThat(m.first("ARC-Seal").value()).contains("i=3").contains("cv=pass");
        // a later body change breaks only the AMS: the chain fails
        Message changed = Message.parse(new String(m.toBytes(), StandardCharsets.ISO_8859_1).replace("body", "BODY").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(new ArcVerifier(DNS).verify(changed).status()).isEqualTo(ArcVerifier.Status.FAIL);
    }

    @Test
    void failedChainIsSealedWithCvFailAndThenNotExtended() throws Exception {
        Message m = hop(Message.parse(MSG.getBytes(StandardCharsets.ISO_8859_1)), "mx1.example.org");
        Message broken = Message.parse(new String(m.toBytes(), StandardCharsets.ISO_8859_1).replace("Subject: s", "Subject: changed").getBytes(StandardCharsets.ISO_8859_1));
        Message sealedFail = hop(broken, "mx2.example.org");
        assertThat(sealedFail.first("ARC-Seal").value()).contains("i=2").contains("cv=fail");
        assertThat(new ArcVerifier(DNS).verify(sealedFail).status()).isEqualTo(ArcVerifier.Status.FAIL);
        Message withAr = sealedFail.prepend(List.of(HeaderField.of("Authentication-Results", " mx3.example.org; arc=fail")));
        assertThat(new ArcSealer("example.org", "arc", KEY).seal(withAr, "mx3.example.org")).isEmpty();
    }

    @Test
    void refusesWithoutOurResultsOrWithEd25519() {
        Message m = Message.parse(MSG.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new ArcSealer("example.org", "arc", KEY).seal(m, "mx.example.org")).isInstanceOf(ArcSealer.ArcSealException.class);
        assertThatThrownBy(() -> new ArcSealer("example.org", "arc", SigningKey.generateEd25519())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noSetBeyondInstance50() throws Exception {
        StringBuilder b = new StringBuilder();
        b.append("ARC-Seal: i=50; a=rsa-sha256; cv=pass; d=example.org; s=arc; b=AAAA\r\n");
        b.append("Authentication-Results: mx.example.org; arc=pass\r\n").append(MSG);
        assertThat(new ArcSealer("example.org", "arc", KEY).seal(Message.parse(b.toString().getBytes(StandardCharsets.ISO_8859_1)), "mx.example.org")).isEmpty();
    }
}
