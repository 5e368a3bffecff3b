package io.mailroom.outbox.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.TestCertificates;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsaMatcherTest {
    @Test
    void daneEeMatchesTheLeafByKeyOrCertificateAndNothingElse() throws Exception {
        var a = TestCertificates.selfSigned(Files.createTempDirectory("tlsa"), "mx.example.net").x509();
        var b = TestCertificates.selfSigned(Files.createTempDirectory("tlsa"), "mx.example.net").x509();
        String spki256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(a.getPublicKey().getEncoded()));
        String cert512 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(a.getEncoded()));
        assertThat(TlsaMatcher.matches(List.of(TlsaMatcher.parse("3 1 1 " + spki256)), List.of(a))).isTrue();
        assertThat(TlsaMatcher.matches(List.of(TlsaMatcher.parse("3 0 2 " + cert512)), List.of(a))).isTrue();
        assertThat(TlsaMatcher.matches(List.of(TlsaMatcher.parse("3 0 0 " + HexFormat.of().formatHex(a.getEncoded()))),
                List.of(a))).isTrue();
        assertThat(TlsaMatcher.matches(List.of(TlsaMatcher.parse("3 1 1 " + spki256)), List.of(b))).isFalse();
        // PKIX usages (0, 1) are not used for SMTP (RFC 7672 §3.1.3)
        assertThat(TlsaMatcher.matches(List.of(TlsaMatcher.parse("1 1 1 " + spki256)), List.of(a))).isFalse();
        // a self-signed leaf is not its own trust anchor
        assertThat(TlsaMatcher.matches(List.of(TlsaMatcher.parse("2 1 1 " + spki256)), List.of(a))).isFalse();
    }
}
