package io.mailroom.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.mailauth.vectors.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @Test
    void readsRsaPkcs1AndPkcs8() {
        SigningKey pkcs1 = SigningKey.fromPem(Vectors.text("dkim/dkimpy/test.private"));
        assertThat(pkcs1.algorithm()).isEqualTo(SignatureAlgorithm.RSA_SHA256);
        assertThat(pkcs1.bits()).isEqualTo(1024);
        // the published record of this key (RFC 8463 A.2)
        assertThat(pkcs1.dnsRecord()).endsWith(Vectors.text("dkim/dkimpy/test.txt").replaceAll("(?s).*p=", "").strip());
        SigningKey pkcs8 = SigningKey.fromPem(Vectors.text("dkim/dkimpy/2048_testkey_PKCS8.key"));
        assertThat(pkcs8.bits()).isEqualTo(2048);
        assertThat(SigningKey.fromPem(pkcs8.toPem()).publicKey()).isEqualTo(pkcs8.publicKey());
    }

    @Test
    void readsEd25519SeedAndPkcs8Pem(@TempDir Path dir) throws Exception {
        SigningKey seed = SigningKey.fromPem(Vectors.text("dkim/dkimpy/rfc8032_7_1.key"));
        assertThat(seed.algorithm()).isEqualTo(SignatureAlgorithm.ED25519_SHA256);
        assertThat(seed.dnsRecord()).isEqualTo("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
        assertThat(SigningKey.fromPem(seed.toPem()).dnsRecord()).isEqualTo(seed.dnsRecord());
        // a key as OpenSSL writes it
        Path pem = dir.resolve("ed.pem");
        Process p = new ProcessBuilder("openssl", "genpkey", "-algorithm", "ed25519", "-out", pem.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        SigningKey openssl = SigningKey.fromPem(Files.readString(pem));
        assertThat(openssl.algorithm()).isEqualTo(SignatureAlgorithm.ED25519_SHA256);
        Process pub = new ProcessBuilder("openssl", "pkey", "-in", pem.toString(), "-pubout", "-outform", "DER").start();
        byte[] der = pub.getInputStream().readAllBytes();
        assertThat(openssl.publicKey().getEncoded()).isEqualTo(der);
    }

    @Test
    void refusesGarbageWithoutEchoingIt() {
        String secret = "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETgarbage\n-----END RSA PRIVATE KEY-----\n";
        assertThatThrownBy(() -> SigningKey.fromPem(secret)).isInstanceOf(IllegalArgumentException.class).message().doesNotContain("TOPSECRET");
        assertThatThrownBy(() -> SigningKey.fromPem("c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKey.fromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).isInstanceOf(IllegalArgumentException.class);
    }
}
