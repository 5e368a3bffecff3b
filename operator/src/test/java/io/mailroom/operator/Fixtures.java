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
        MailRoomReconciler reconciler = new MailRoomReconciler(client, settings);
        reconciler.apply(mr);
        if (assignClusterIps(client, ns) > 0) {
            reconciler.apply(mr);
        }
        return mr;
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_IP = new java.util.concurrent.atomic.AtomicInteger(10);

    /**
     * What kube-apiserver does when a Service is created and the mock API server does not: give it a
     * cluster IP (from 10.96.0.0/16, the usual service range). Returns how many Services got one.
     */
    public static int assignClusterIps(KubernetesClient client, String ns) {
        int assigned = 0;
        for (var svc : client.services().inNamespace(ns).list().getItems()) {
            if (svc.getSpec().getClusterIP() == null || svc.getSpec().getClusterIP().isBlank()) {
                int n = NEXT_IP.getAndIncrement();
                String ip = "10.96." + (n / 250) + "." + (n % 250 + 1);
                client.services().inNamespace(ns).withName(svc.getMetadata().getName())
                        .edit(s -> { s.getSpec().setClusterIP(ip); return s; });
                assigned++;
            }
        }
        return assigned;
    }

    /** {@link #assignClusterIps} for every Service created while the returned watch is open (operator runs). */
    public static io.fabric8.kubernetes.client.Watch clusterIpAllocator(KubernetesClient client) {
        return client.services().inAnyNamespace().watch(new io.fabric8.kubernetes.client.Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.Service svc) {
                if (action == Action.ADDED) {
                    assignClusterIps(client, svc.getMetadata().getNamespace());
                }
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
        });
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
