package io.mailroom.controller;

import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.testkit.DovecotServer;
import io.mailroom.testkit.RedisServer;
import io.mailroom.testkit.TestCertificates;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The real servers the Controller tests run against, started once for the Quarkus test run:
 * Redis (the account store), a Dovecot that authenticates users by password from it, and a
 * second Dovecot whose IMAPS listener accepts only client certificates of the installation's CA
 * (SASL EXTERNAL). The Controller is configured with their Redis, mail root and key directory.
 */
public class ControllerServers implements QuarkusTestResourceLifecycleManager {
    public static final String TOKEN = "test-token-0123456789abcdef";
    public static final String MX_HOST = "mail.example.test";
    /** The token between the Controller and the Outbox's queue admin API (QueueCliIT runs that Outbox). */
    public static final String OUTBOX_TOKEN = "outbox-token-0123456789abcdef";
    static int outboxAdminPort;

    static RedisServer redis;
    static DovecotServer dovecot;
    static DovecotServer certDovecot;
    static Path dir;
    static KeyDirectory keys;
    static TestCertificates.PemFiles inboxCertificate;
    /** The certificate-only Dovecot's ssl_ca: the CA certificate followed by its CRL. */
    static Path sslCa;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("mailroom-controller-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            keys = new KeyDirectory(dir.resolve("keys"));
            inboxCertificate = TestCertificates.selfSigned(dir.resolve("tls"), MX_HOST);
            Path tokenFile = dir.resolve("controller.token");
            Files.writeString(tokenFile, TOKEN + "\n");
            Path outboxTokenFile = dir.resolve("outbox.token");
            Files.writeString(outboxTokenFile, OUTBOX_TOKEN + "\n");
            outboxAdminPort = io.mailroom.testkit.FreePorts.next();

            redis = new RedisServer();
            redis.start();
            dovecot = new DovecotServer(redis);
            dovecot.start();

            // the CA the Controller uses (it would create it on first use; Dovecot needs it at start)
            ClientCertificateAuthority ca = ClientCertificateAuthority.loadOrCreate(keys, "Mail Room");
            sslCa = dir.resolve("ssl-ca.pem");
            Files.writeString(sslCa, ca.certificatePem() + ca.crlPem());
            Path certAuth = dir.resolve("dovecot-cert-auth.conf.ext");
            Files.writeString(certAuth, resource("mailroom/dovecot/dovecot-dict-cert-auth.conf.ext")
                    .replace("@REDIS_HOST@", redis.host()).replace("@REDIS_PORT@", String.valueOf(redis.port())));
            certDovecot = new DovecotServer(redis, true)
                    .ssl(inboxCertificate.certificate(), inboxCertificate.key())
                    .extraConfig(clientCertificateConfig(sslCa, certAuth));
            certDovecot.start();

            return Map.ofEntries(
                    Map.entry("mailroom.controller.outbox-url", "http://127.0.0.1:" + outboxAdminPort),
                    Map.entry("mailroom.controller.outbox-token-file", outboxTokenFile.toString()),
                    Map.entry("mailroom.redis.uri", redis.uri()),
                    Map.entry("mailroom.key-dir", keys.root().toString()),
                    Map.entry("mailroom.mail-root", dovecot.mailRoot().toString()),
                    Map.entry("mailroom.tls.cert", inboxCertificate.certificate().toString()),
                    Map.entry("mailroom.tls.key", inboxCertificate.key().toString()),
                    Map.entry("mailroom.hostname", MX_HOST),
                    Map.entry("mailroom.controller.token-file", tokenFile.toString()),
                    Map.entry("mailroom.bcrypt-cost", "4"));
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /**
     * Dovecot 2.3 settings for client-certificate login: the CA and its CRL in {@code ssl_ca}, a
     * certificate required and mapped to the user by its common name, SASL EXTERNAL against a passdb
     * that only checks that the account exists (the certificate is the credential).
     */
    static String clientCertificateConfig(Path sslCa, Path certAuth) {
        return """
                ssl_ca = <%s
                ssl_verify_client_cert = yes
                auth_ssl_require_client_cert = yes
                auth_ssl_username_from_cert = yes
                ssl_cert_username_field = commonName
                auth_mechanisms = external
                passdb {
                  driver = dict
                  args = %s
                  mechanisms = external
                }
                """.formatted(sslCa, certAuth);
    }

    /** Publishes the current CRL to the certificate-only Dovecot: rewrite ssl_ca, then reload Dovecot. */
    static void reloadCrl(String caPem, String crlPem) throws IOException, InterruptedException {
        Files.writeString(sslCa, caPem + crlPem);
        Process p = new ProcessBuilder("doveadm", "-c", certDovecot.workDir().resolve("dovecot.conf").toString(),
                "reload").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("doveadm reload failed: " + out);
        }
    }

    static String resource(String name) throws IOException {
        try (var in = ControllerServers.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + name + " not found");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public void stop() {
        for (var s : new io.mailroom.testkit.ExternalServer[] {certDovecot, dovecot, redis}) {
            if (s != null) {
                try {
                    s.stop();
                } catch (RuntimeException e) {
                    // keep stopping the others
                }
            }
        }
    }
}
