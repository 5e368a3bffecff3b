package io.mailroom.operator.podman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroom.operator.Examples;
import io.mailroom.operator.Fixtures;
import io.mailroom.operator.api.ClientCertificate;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailUser;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.testkit.TestCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;

/**
 * The operator's output for the example resources, run as real containers of the project's images: the
 * operator (Quarkus, JOSDK) writes the objects into the mock API server, {@link PodmanCluster} runs their
 * pod templates on podman as a kubelet would, and a user's paths are taken end to end: inbound mail
 * through the Inbox, Rspamd and Dovecot containers, the CLI through the Controller container, submission
 * through the Outbox container, the MailUser's and ClientCertificate's credentials, the backup CronJob.
 *
 * <p>Changes to the examples, and why: Unbound forwards to the test's zone server (nothing leaves the
 * machine) and resolves the test zones as private domains (unsigned under the signed root, and .test
 * is one that Unbound answers nothing for by default); the backup
 * key Secret and the TLS Secret, which a user makes, are made here.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = PodmanNetworkResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorOutputOnPodmanIT {
    static final String NS = "mail";
    static final String ALICE_PASSWORD = "change-me-to-something-long";
    static final List<String> IMAGES = List.of("operator", "inbox", "outbox", "controller", "backup", "dovecot",
            "rspamd", "redis", "unbound");

    @Inject
    KubernetesClient client;

    @Inject
    OperatorSettings settings;

    Podman podman;
    PodmanCluster cluster;
    PodmanKubelet kubelet;
    String network;
    String prefix;
    String gateway;
    Path work;
    Path gnupg;
    final List<String> extraContainers = new ArrayList<>();

    @BeforeAll
    void bringUp() throws Exception {
        podman = PodmanNetworkResource.podman();
        network = System.getProperty(PodmanNetworkResource.NETWORK);
        prefix = System.getProperty(PodmanNetworkResource.PREFIX);
        gateway = prefix + ".1";
        for (String image : IMAGES) {
            String name = settings.imageRegistry() + "/" + image + ":" + settings.imageTag();
            assertThat(podman.imageExists(name)).as("image %s (./mailroom images builds it)", name).isTrue();
        }
        work = Files.createTempDirectory("mailroom-harness");
        kubelet = new PodmanKubelet(podman, work.resolve("volumes"), Map.of("io.mailroom.harness", network));
        startZoneServer();

        // what a user makes before applying the examples: the TLS Secret and the backup key
        TestCertificates.PemFiles tls = TestCertificates.selfSigned(work.resolve("tls"), "mx.example.com");
        client.resource(new SecretBuilder().withNewMetadata().withName("mailroom-tls").withNamespace(NS).endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", Fixtures.b64(Files.readString(tls.certificate())),
                        "tls.key", Fixtures.b64(Files.readString(tls.key()))))
                .build()).create();
        gnupg = work.resolve("gnupg");
        Files.createDirectories(gnupg);
        sh("chmod 700 " + gnupg + " && GNUPGHOME=" + gnupg + " gpg --batch --quiet --passphrase '' "
                + "--quick-gen-key 'Mail Room backup (harness)' default default never");
        String publicKey = sh("GNUPGHOME=" + gnupg + " gpg --batch --export --armor");
        client.resource(new SecretBuilder().withNewMetadata().withName("mailroom-backup-key").withNamespace(NS)
                .endMetadata().withData(Map.of("public.asc", Fixtures.b64(publicKey))).build()).create();

        MailRoom mr = Examples.load("mailroom.yaml", MailRoom.class);
        mr.getSpec().resolver.forwarders = List.of(prefix + ".53");
        mr.getSpec().resolver.privateDomains = List.of("test", "example.com", "18.198.in-addr.arpa");
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(mr);
        objects.add(Examples.load("maildomain.yaml", MailDomain.class));
        objects.addAll(Examples.loadAll("mailuser.yaml", Secret.class));
        objects.addAll(Examples.loadAll("mailuser.yaml", MailUser.class));
        objects.add(Examples.load("clientcertificate.yaml", ClientCertificate.class));
        for (HasMetadata o : objects) {
            client.resource(o).create();
        }

        cluster = new PodmanCluster(client, NS, kubelet, network, prefix,
                Map.of("mailroom-redis", prefix + "." + PodmanNetworkResource.REDIS_HOST), network + "-");
        Instant start = Instant.now();
        cluster.start();
        withLogs(() -> await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            MailRoom current = client.resources(MailRoom.class).inNamespace(NS).withName("mailroom").get();
            assertThat(current.getStatus()).isNotNull();
            assertThat(Conditions.find(current.getStatus().conditions, Conditions.READY).getStatus())
                    .as("%s", current.getStatus().conditions).isEqualTo("True");
            for (String user : List.of("alice", "bob")) {
                MailUser u = client.resources(MailUser.class).inNamespace(NS).withName(user).get();
                assertThat(u.getStatus()).as(user).isNotNull();
                assertThat(Conditions.isTrue(u.getStatus().conditions, Conditions.READY)).as(user).isTrue();
            }
            ClientCertificate cert = client.resources(ClientCertificate.class).inNamespace(NS).withName("alice").get();
            assertThat(cert.getStatus()).isNotNull();
            assertThat(client.secrets().inNamespace(NS).withName("alice-certificate").get()).isNotNull();
        }));
        Instant firstPod = cluster.pods().values().stream().map(PodmanCluster.Running::started).min(Instant::compareTo)
                .orElse(start);
        Instant lastReady = cluster.pods().values().stream().map(PodmanCluster.Running::readyAt)
                .filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(Instant.now());
        System.out.printf("harness: %d pods ready %d s after the first pod started (%d s after the examples were "
                + "applied)%n", cluster.pods().size(), Duration.between(firstPod, lastReady).toSeconds(),
                Duration.between(start, Instant.now()).toSeconds());
        cluster.pods().forEach((name, r) -> System.out.printf("harness:   %-24s %-15s ready %5d ms after start%n",
                name, r.pod() == null ? "-" : r.pod().ip(),
                r.readyAt() == null ? -1 : Duration.between(r.started(), r.readyAt()).toMillis()));
    }

    /** An authoritative-only Unbound (the project's image) serving the test zones; it recurses nowhere. */
    private void startZoneServer() throws Exception {
        Path dir = Files.createDirectories(work.resolve("zone"));
        String conf = String.join("\n",
                "server:",
                "  interface: 0.0.0.0", "  port: 53", "  do-daemonize: no", "  username: \"\"", "  chroot: \"\"",
                "  pidfile: \"\"", "  use-syslog: no", "  logfile: \"\"", "  access-control: 0.0.0.0/0 allow",
                "  module-config: \"iterator\"",
                "  local-zone: \".\" static",
                // a well-kept sending host: SPF, an MX, forward and reverse DNS that agree
                "  local-data: 'sender.test. TXT \"v=spf1 ip4:" + gateway + " -all\"'",
                "  local-data: \"sender.test. A " + gateway + "\"",
                "  local-data: \"sender.test. MX 10 sender.test.\"",
                "  local-data-ptr: \"" + gateway + " sender.test\"",
                "  local-data: \"example.com. MX 10 mx.example.com.\"",
                "");
        Files.writeString(dir.resolve("unbound.conf"), conf);
        sh("chmod -R a+rX " + dir);
        String name = network + "-zone";
        podman.check("run", "-d", "--name", name, "--network", network, "--ip", prefix + ".53", "--user", "10001",
                "--sysctl", "net.ipv4.ip_unprivileged_port_start=53", "--read-only", "-v", dir + ":/etc/unbound/zone:ro", "--entrypoint",
                "[\"unbound\",\"-d\",\"-c\",\"/etc/unbound/zone/unbound.conf\"]", image("unbound"));
        extraContainers.add(name);
        await().atMost(Duration.ofSeconds(30)).until(() -> podman.exec("logs", name).output()
                .contains("start of service"));
        assertThat(podman.exec("inspect", "-f", "{{.State.Running}}", name).output()).as(podman.exec("logs", name)
                .output()).isEqualTo("true");
    }

    private String image(String name) {
        return settings.imageRegistry() + "/" + name + ":" + settings.imageTag();
    }

    @AfterAll
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        extraContainers.forEach(kubelet::remove);
        if (cluster != null) {
            cluster.volumes().forEach(v -> podman.exec("volume", "rm", "-f", v));
        }
    }

    // ------------------------------------------------------------------ the user's paths

    @Test
    @Order(1)
    void inboundMailPassesRspamdAndIsReadBackOverImaps() throws Exception {
        withLogs(() -> {
            String subject = "harness inbound " + UUID.randomUUID();
            String out = swaks("--server", ip("mailroom-inbox-0") + ":25", "--ehlo", "sender.test", "--tls",
                    "--from", "someone@sender.test", "--to", "alice@example.com", "--header", "Subject: " + subject,
                    "--header", "Message-Id: <" + UUID.randomUUID() + "@sender.test>");
            assertThat(out).contains("250 ");
            String message = awaitMessage("alice@example.com", ALICE_PASSWORD, subject);
            assertThat(message).contains("Authentication-Results: mx.example.com;")
                    .contains("spf=pass smtp.mailfrom=someone@sender.test")
                    .containsPattern("(?m)^X-Spam-Status: No, action=no_action")
                    .containsPattern("(?m)^X-Spam-Score: -?\\d+\\.\\d+ / 15\\.00");
        });
    }

    @Test
    @Order(2)
    void rspamdResolvesThroughTheInstallationsUnbound() throws Exception {
        // Rspamd takes only numeric nameservers: its SPF check of sender.test needs a working resolver
        withLogs(() -> {
            String msg = "From: someone@sender.test\r\nTo: alice@example.com\r\nSubject: dns\r\n\r\nbody\r\n";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                    .uri(java.net.URI.create("http://" + ip("mailroom-rspamd-0") + ":11333/checkv2"))
                    .header("IP", gateway).header("From", "someone@sender.test").header("Helo", "sender.test")
                    .POST(HttpRequest.BodyPublishers.ofString(msg)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("R_SPF_ALLOW");
        });
    }

    @Test
    @Order(3)
    void theCliCreatesAUserThroughTheControllerContainerWhoThenLogsIn() throws Exception {
        withLogs(() -> {
            cliWithInput("carols-long-password-1\n", "create-user", "carol@example.com", "--password-stdin");
            assertThat(imapLogin("carol@example.com", "carols-long-password-1")).isTrue();
            assertThat(imapLogin("carol@example.com", "not-her-password")).isFalse();
        });
    }

    @Test
    @Order(4)
    void submissionThroughTheOutboxContainerReachesALocalUser() throws Exception {
        withLogs(() -> {
            String bobPassword = Fixtures.decode(client.secrets().inNamespace(NS).withName("bob-credentials").get(),
                    "password");
            String subject = "harness submission " + UUID.randomUUID();
            String out = swaks("--server", ip("mailroom-outbox-0") + ":587", "--tls", "--auth", "PLAIN",
                    "--auth-user", "alice@example.com", "--auth-password", ALICE_PASSWORD,
                    "--from", "alice@example.com", "--to", "bob@example.com", "--header", "Subject: " + subject);
            assertThat(out).contains("250 ");
            String message = awaitMessage("bob@example.com", bobPassword, subject);
            assertThat(message).containsPattern("(?m)^DKIM-Signature: .*d=example.com");
            // the queue through the Controller container to the Outbox's admin API: delivered, so empty
            assertThat(cli("queue", "list")).doesNotContain("bob@example.com");
        });
    }

    @Test
    @Order(5)
    void theMailUsersSecretsLogIn() throws Exception {
        withLogs(() -> {
            assertThat(imapLogin("alice@example.com", ALICE_PASSWORD)).isTrue();
            String bob = Fixtures.decode(client.secrets().inNamespace(NS).withName("bob-credentials").get(),
                    "password");
            assertThat(imapLogin("bob@example.com", bob)).isTrue();
            assertThat(imapLogin("bob@example.com", bob + "x")).isFalse();
        });
    }

    @Test
    @Order(6)
    void theClientCertificateLogsInToDovecotWithSaslExternal() throws Exception {
        withLogs(() -> {
            Secret s = client.secrets().inNamespace(NS).withName("alice-certificate").get();
            byte[] p12 = Base64.getDecoder().decode(s.getData().get("keystore.p12"));
            char[] password = Fixtures.decode(s, "keystore-password").toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(p12), password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            assertThat(imapExternal(kmf)).startsWith("a1 OK");
            // without a certificate EXTERNAL is refused
            assertThat(imapExternal(null)).startsWith("a1 NO");
        });
    }

    @Test
    @Order(7)
    void theBackupCronJobsPodWritesAnEncryptedArchiveThatVerifies() throws Exception {
        withLogs(() -> {
            CronJob job = client.batch().v1().cronjobs().inNamespace(NS).withName("mailroom-backup").get();
            assertThat(job).isNotNull();
            var spec = job.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
            String name = network + "-backup-manual";
            extraContainers.add(name);
            String target = cluster.volume("mailroom-backup");
            kubelet.start(name, spec, Map.of("mail", cluster.volume("mail-mailroom-dovecot-0"), "target", target),
                    new PodmanKubelet.Attachment(network, java.util.Optional.empty(), List.of(), List.of()),
                    cluster.objects(), "no");
            Podman.Result exit = podman.exec(Duration.ofMinutes(5), List.of("wait", name));
            assertThat(exit.output()).as(kubelet.logs(name)).isEqualTo("0");
            String archives = podman.check("run", "--rm", "--network", "none", "--user", "10001", "-v",
                    target + ":/backup:ro", "--entrypoint", "[\"ls\",\"/backup\"]", image("backup"));
            String archive = archives.lines().filter(l -> !l.isBlank()).findFirst().orElseThrow();
            // not readable as a tar: encrypted
            Path key = work.resolve("secret.asc");
            Files.writeString(key, sh("GNUPGHOME=" + gnupg + " gpg --batch --pinentry-mode loopback --passphrase '' "
                    + "--export-secret-keys --armor"));
            sh("chmod 644 " + key);
            Podman.Result verify = podman.exec(Duration.ofMinutes(3), List.of("run", "--rm", "--network", "none",
                    "--user", "10001", "-v", target + ":/backup:ro", "-v", key + ":/key/secret.asc:ro",
                    "-e", "MAILROOM_BACKUP_SECRET_KEY=/key/secret.asc", "-e", "MAILROOM_HOME=/tmp/mailroom",
                    image("backup"), "verify", "/backup/" + archive));
            assertThat(verify.exit()).as(verify.output()).isZero();
        });
    }

    @Test
    @Order(8)
    void everyPodsLivenessProbePasses() throws Exception {
        withLogs(() -> {
            for (var e : cluster.pods().entrySet()) {
                var pod = e.getValue().pod();
                assertThat(pod).as(e.getKey()).isNotNull();
                var probe = pod.spec().getContainers().get(0).getLivenessProbe();
                assertThat(probe).as(e.getKey()).isNotNull();
                assertThat(kubelet.probe(pod, probe)).as("liveness of %s", e.getKey()).isTrue();
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    private String ip(String pod) {
        PodmanCluster.Running r = cluster.pods().get(pod);
        assertThat(r).as("pod " + pod + " of " + cluster.pods().keySet()).isNotNull();
        return r.pod().ip();
    }

    private void withLogs(Executable body) throws Exception {
        try {
            body.execute();
        } catch (Throwable t) {
            System.out.println(cluster == null ? "(no cluster)" : cluster.logs());
            if (t instanceof Exception e) {
                throw e;
            }
            throw new AssertionError(t);
        }
    }

    /** mailroom-cli against the Controller pod, with the token from the Secret the operator wrote. */
    private String cliWithInput(String input, String... args) throws Exception {
        String token = Fixtures.decode(client.secrets().inNamespace(NS).withName("mailroom-controller-token").get(),
                "token");
        List<String> command = new ArrayList<>(List.of(Examples.root().resolve("cli/mailroom-cli").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MAILROOM_URL", "http://" + ip("mailroom-controller-0") + ":6804");
        pb.environment().put("MAILROOM_TOKEN", token);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private String cli(String... args) throws Exception {
        return cliWithInput("", args);
    }

    private static String swaks(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("swaks", "--timeout", "60"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private String awaitMessage(String user, String password, String subject) {
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (String m : Imaps.inbox(ip("mailroom-dovecot-0"), user, password)) {
                if (m.contains("Subject: " + subject)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private boolean imapLogin(String user, String password) {
        return Imaps.canLogin(ip("mailroom-dovecot-0"), user, password);
    }

    /** AUTHENTICATE EXTERNAL (RFC 4959 initial response "=": the identity is the certificate's). */
    private String imapExternal(KeyManagerFactory keys) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys == null ? null : keys.getKeyManagers(), new TrustManager[] {Imaps.TRUST_ALL}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(ip("mailroom-dovecot-0"), 993)) {
            s.setSoTimeout(15000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            assertThat(greeting).startsWith("* OK");
            s.getOutputStream().write("a1 AUTHENTICATE EXTERNAL =\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("a1 ")) {
                // untagged capability lines
            }
            return line;
        }
    }

    private static String sh(String command) {
        return Fixtures.sh(command);
    }

    /** IMAP over implicit TLS to a pod, with Jakarta Mail, as a user's client would (self-signed certificate). */
    static final class Imaps {
        static final X509TrustManager TRUST_ALL = new X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };

        static boolean canLogin(String host, String user, String password) {
            try (jakarta.mail.Store store = connect(host, user, password)) {
                return store.isConnected();
            } catch (jakarta.mail.AuthenticationFailedException e) {
                return false;
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException("IMAP error: " + e.getMessage(), e);
            }
        }

        static List<String> inbox(String host, String user, String password) throws Exception {
            try (jakarta.mail.Store store = connect(host, user, password)) {
                jakarta.mail.Folder folder = store.getFolder("INBOX");
                folder.open(jakarta.mail.Folder.READ_ONLY);
                List<String> out = new ArrayList<>();
                for (jakarta.mail.Message m : folder.getMessages()) {
                    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                    m.writeTo(buf);
                    out.add(buf.toString(StandardCharsets.UTF_8));
                }
                folder.close(false);
                return out;
            }
        }

        private static jakarta.mail.Store connect(String host, String user, String password)
                throws jakarta.mail.MessagingException {
            java.util.Properties p = new java.util.Properties();
            p.put("mail.imaps.connectiontimeout", "5000");
            p.put("mail.imaps.timeout", "15000");
            p.put("mail.imaps.ssl.trust", "*");
            p.put("mail.imaps.ssl.checkserveridentity", "false");
            jakarta.mail.Store store = jakarta.mail.Session.getInstance(p).getStore("imaps");
            store.connect(host, 993, user, password);
            return store;
        }
    }
}
