package io.mailroom.common.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.keys.KeyDirectory;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCertificateAuthorityTest {
    @TempDir
    Path dir;

    @Test
    void theCaIsCreatedOnceAndRevocationsAccumulateInItsCrl() throws Exception {
        KeyDirectory keys = new KeyDirectory(dir);
        ClientCertificateAuthority ca = ClientCertificateAuthority.loadOrCreate(keys, "Test");
        assertThat(Files.getPosixFilePermissions(keys.caKey())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        ClientCertificateAuthority again = ClientCertificateAuthority.loadOrCreate(keys, "Test");
        assertThat(again.certificate()).isEqualTo(ca.certificate());

        var a = ca.issue(EmailAddress.parse("A@Example.test"), "secret12".toCharArray(), Duration.ofDays(10));
        var b = ca.issue(EmailAddress.parse("b@example.test"), "secret12".toCharArray(), Duration.ofDays(10));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(a.pkcs12()), "secret12".toCharArray());
        X509Certificate fromP12 = (X509Certificate) ks.getCertificate("a@example.test");
        assertThat(fromP12).isEqualTo(a.certificate());
        assertThat(ks.getCertificateChain("a@example.test")).hasSize(2);
        assertThat(ca.issued(a.certificate())).isTrue();

        again.revoke(a.certificate());
        ca.revoke(b.certificate());
        assertThat(ca.isRevoked(a.certificate())).isTrue();
        assertThat(ca.isRevoked(b.certificate())).isTrue();
        assertThat(ClientCertificateAuthority.parseCrl(ca.crlPem()).getRevokedCertificates()).hasSize(2);

        var foreign = ClientCertificateAuthority.generate("Other")
                .issue(EmailAddress.parse("a@example.test"), "secret12".toCharArray(), Duration.ofDays(1));
        assertThat(ca.issued(foreign.certificate())).isFalse();
        assertThatThrownBy(() -> ca.revoke(foreign.certificate())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ca.issue(EmailAddress.parse("a@example.test"), "x".toCharArray(), Duration.ofDays(99999)))
                .isInstanceOf(InvalidInputException.class);
    }
}
