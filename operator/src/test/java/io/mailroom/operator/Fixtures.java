package io.mailroom.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.mailroom.MailRoomReconciler;
import io.mailroom.testkit.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/** Objects most operator tests start from: the example MailRoom (reconciled), its TLS Secret, the example MailDomain. */
public final class Fixtures {
    private Fixtures() {}

    public static MailRoom mailRoom(KubernetesClient client, String ns, OperatorSettings settings) {
        MailRoom mr = Examples.load("mailroom.yaml", MailRoom.class);
        mr.getMetadata().setNamespace(ns);
        mr = client.resource(mr).create();
        new MailRoomReconciler(client, settings).apply(mr);
        return mr;
    }

    /** A kubernetes.io/tls Secret as cert-manager would write it, with a self-signed certificate for the MX. */
    public static TestCertificates.PemFiles tlsSecret(KubernetesClient client, String ns, String name) {
        try {
            Path dir = Files.createTempDirectory("mailroom-tls");
            TestCertificates.PemFiles pem = TestCertificates.selfSigned(dir, "mx.example.com");
            Secret s = new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                    .withType("kubernetes.io/tls")
                    .withData(Map.of("tls.crt", b64(Files.readString(pem.certificate())),
                            "tls.key", b64(Files.readString(pem.key()))))
                    .build();
            client.resource(s).create();
            return pem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MailDomain mailDomain(KubernetesClient client, String ns) {
        MailDomain md = Examples.load("maildomain.yaml", MailDomain.class);
        md.getMetadata().setNamespace(ns);
        return client.resource(md).create();
    }

    public static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String decode(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    /** Runs a shell pipeline (reference tools such as openssl) and returns its standard output. */
    public static String sh(String command) {
        try {
            Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(command + " failed: " + out);
            }
            return out.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
