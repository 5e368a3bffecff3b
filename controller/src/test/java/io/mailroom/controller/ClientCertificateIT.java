package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.common.store.AccountStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/** Certificates from generate-cert log in to a real Dovecot that requires client certificates. */
@QuarkusTest
@QuarkusTestResource(ControllerServers.class)
class ClientCertificateIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Inject
    AccountStore store;

    @Test
    void certificateFromGenerateCertLogsInAndOneFromAnotherCaIsRefused() throws Exception {
        if (store.domain("cert.test").isEmpty()) {
            assertThat(Cli.run(base, "add-domain", "cert.test").exitCode()).isZero();
        }
        assertThat(Cli.run(java.util.Map.of("MAILROOM_URL", base.toString(), "MAILROOM_TOKEN", ControllerServers.TOKEN),
                "a long password\n", "create-user", "dave@cert.test", "--password-stdin").exitCode()).isZero();

        Path dir = Files.createTempDirectory("certs");
        Path p12 = dir.resolve("dave.p12");
        Cli.Result r = Cli.run(base, "generate-cert", "dave@cert.test", "-o", p12.toString(), "--output-format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        String password = out.get("password").asText();
        assertThat(out.has("pkcs12")).isFalse();
        assertThat(Files.getPosixFilePermissions(p12)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(Files.newInputStream(p12), password.toCharArray());
        String alias = ks.aliases().nextElement();
        X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(1, "dave@cert.test"));
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=dave@cert.test");
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4");
        assertThat(store.certificate("dave@cert.test")).get().asString().contains("BEGIN CERTIFICATE");
        assertThat(JSON.readTree(Cli.run(base, "list-certs", "-o", "json").out()).findValuesAsText("serial"))
                .contains(cert.getSerialNumber().toString(16));

        // the user's own certificate: Dovecot maps it to the account and lets it in
        String accepted = externalLogin(ks, password.toCharArray());
        assertThat(accepted).startsWith("a OK");

        // a certificate for the same address from another CA is refused
        var other = ClientCertificateAuthority.generate("Impostor")
                .issue(EmailAddress.parse("dave@cert.test"), "pw123456".toCharArray(), Duration.ofDays(1));
        KeyStore otherKs = KeyStore.getInstance("PKCS12");
        otherKs.load(new ByteArrayInputStream(other.pkcs12()), "pw123456".toCharArray());
        assertThat(externalLogin(otherKs, "pw123456".toCharArray())).doesNotStartWith("a OK");
        // and so is a client without any certificate
        assertThat(externalLogin(null, null)).doesNotStartWith("a OK");

        // revocation: the serial is on the CRL that openssl checks against, the stored certificate is gone
        Path caFile = dir.resolve("ca.pem");
        Path crlFile = dir.resolve("crl.pem");
        Path certFile = dir.resolve("dave.pem");
        Files.writeString(caFile, Http.send(base, "GET", "api/v1/ca/certificate", ControllerServers.TOKEN, null, null).body());
        Files.writeString(certFile, store.certificate("dave@cert.test").orElseThrow());
        Files.writeString(crlFile, Http.send(base, "GET", "api/v1/ca/crl", ControllerServers.TOKEN, null, null).body());
        assertThat(opensslVerify(caFile, crlFile, certFile)).contains("OK");
        Cli.Result revoked = Cli.run(base, "revoke-cert", "dave@cert.test");
        assertThat(revoked.exitCode()).as(revoked.err()).isZero();
        assertThat(revoked.out()).contains(cert.getSerialNumber().toString(16));
        Files.writeString(crlFile, Http.send(base, "GET", "api/v1/ca/crl", ControllerServers.TOKEN, null, null).body());
        assertThat(opensslVerify(caFile, crlFile, certFile)).contains("certificate revoked");
        assertThat(store.certificate("dave@cert.test")).isEmpty();
        assertThat(Cli.run(base, "revoke-cert", "dave@cert.test").exitCode()).isEqualTo(2);
        // once Dovecot has the new CRL, the revoked certificate no longer logs in
        ControllerServers.reloadCrl(Files.readString(caFile), Files.readString(crlFile));
        String refused = "";
        for (int i = 0; i < 50 && !refused.startsWith("a NO"); i++) {
            Thread.sleep(100); // the reload restarts the login processes
            refused = externalLogin(ks, password.toCharArray());
        }
        assertThat(refused).startsWith("a NO");

        // a deleted user cannot log in with a certificate either
        Path second = dir.resolve("dave2.p12");
        JsonNode again = JSON.readTree(Cli.run(base, "generate-cert", "dave@cert.test", "-o", second.toString(),
                "--output-format", "json").out());
        KeyStore ks2 = KeyStore.getInstance("PKCS12");
        ks2.load(Files.newInputStream(second), again.get("password").asText().toCharArray());
        assertThat(externalLogin(ks2, again.get("password").asText().toCharArray())).startsWith("a OK");
        assertThat(Cli.run(base, "generate-cert", "dave@cert.test", "-o", second.toString()).exitCode())
                .as("an existing file is not overwritten").isEqualTo(1);
        assertThat(Cli.run(base, "delete-user", "dave@cert.test").exitCode()).isZero();
        assertThat(externalLogin(ks2, again.get("password").asText().toCharArray())).doesNotStartWith("a OK");
    }

    /** IMAPS to the certificate-only Dovecot, AUTHENTICATE EXTERNAL; returns the tagged reply or the TLS failure. */
    static String externalLogin(KeyStore keys, char[] password) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("inbox", ControllerServers.inboxCertificate.x509());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        X509KeyManager km = null;
        if (keys != null) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            km = alwaysPresent((X509KeyManager) kmf.getKeyManagers()[0], keys.aliases().nextElement());
        }
        ctx.init(km == null ? null : new javax.net.ssl.KeyManager[] {km}, tmf.getTrustManagers(), null);
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", ControllerServers.certDovecot.imapsPort()), 5000);
            raw.setSoTimeout(10000);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "mail.example.test", raw.getPort(), true);
            s.startHandshake();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            String greeting = in.readLine();
            assertThat(greeting).startsWith("* OK");
            out.write("a AUTHENTICATE EXTERNAL =\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("a ")) {
                // untagged lines
            }
            return line == null ? "closed" : line;
        } catch (SSLException e) {
            return "TLS refused: " + e.getMessage();
        } catch (IOException e) {
            return "connection failed: " + e.getMessage();
        }
    }

    /** Offers the certificate whatever CA names the server asks for, so that Dovecot itself has to refuse it. */
    static X509KeyManager alwaysPresent(X509KeyManager delegate, String alias) {
        return new X509KeyManager() {
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {alias};
            }

            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return alias;
            }

            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            public X509Certificate[] getCertificateChain(String a) {
                return delegate.getCertificateChain(a);
            }

            public PrivateKey getPrivateKey(String a) {
                return delegate.getPrivateKey(a);
            }
        };
    }

    static String opensslVerify(Path ca, Path crl, Path cert) throws Exception {
        Process p = new ProcessBuilder("openssl", "verify", "-crl_check", "-purpose", "sslclient", "-CAfile",
                ca.toString(), "-CRLfile", crl.toString(), cert.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
