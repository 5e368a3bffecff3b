package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.outbox.Outbox;
import io.mailroom.outbox.OutboxSettings;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mailroom-cli queue ...} end to end: swaks submits to a real Outbox, whose remote MX hosts
 * are down, so the mail waits in its queue; the CLI talks to the Controller, the Controller to the
 * Outbox's queue admin API. A bounce's DSN reaches the sender's mailbox in Dovecot, a retry reaches
 * Postfix's smtp-sink once it is up.
 */
@QuarkusTest
@QuarkusTestResource(ControllerServers.class)
class QueueCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PW = "correct horse battery";
    static final Duration WAIT = Duration.ofSeconds(30);

    static Path tmp;
    static RedisConnections redis;
    static Outbox outbox;
    static int farPort;
    static int otherPort;

    @TestHTTPResource("/")
    URI base;

    @BeforeAll
    static void startOutbox() throws Exception {
        tmp = Files.createTempDirectory("queue-cli-");
        redis = RedisConnections.open(ControllerServers.redis.uri());
        AccountStore store = new AccountStore(redis.dataSource(),
                new StoreSettings(ControllerServers.dovecot.mailRoot(), '+', 4));
        var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.queue.test");
        farPort = FreePorts.next();
        otherPort = FreePorts.next();
        Map<String, String> p = new HashMap<>();
        p.put("mailroom.hostname", "mail.queue.test");
        p.put("mailroom.submission.port", "0");
        p.put("mailroom.submissions.port", "0");
        p.put("mailroom.tls.cert", cert.certificate().toString());
        p.put("mailroom.tls.key", cert.key().toString());
        p.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
        p.put("mailroom.lmtp.port", String.valueOf(ControllerServers.dovecot.lmtpPort()));
        // nothing listens on these until the test starts a sink: every attempt is deferred
        p.put("mailroom.outbox.routes", "far.test=127.0.0.12:" + farPort + ",other.test=127.0.0.13:" + otherPort);
        p.put("mailroom.outbox.retry-schedule", "1h");
        p.put("mailroom.outbox.connect-timeout", "2s");
        p.put("mailroom.outbox.admin.port", String.valueOf(ControllerServers.outboxAdminPort));
        p.put("mailroom.outbox.admin.token", ControllerServers.OUTBOX_TOKEN);
        OutboxSettings s = OutboxSettings.from(new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(p, "test", 500)).build());
        // the Controller's key directory: the DKIM keys add-domain made sign what the Outbox sends
        outbox = new Outbox(s, store, ControllerServers.keys, null);
    }

    @AfterAll
    static void stopOutbox() throws Exception {
        if (outbox != null) {
            outbox.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void listShowHoldReleaseRetryDropAndBounceThroughTheCli() throws Exception {
        ok(Cli.run(base, "add-domain", "queue.test"));
        for (String u : List.of("alice@queue.test", "bob@queue.test")) {
            ok(Cli.run(env(), PW + "\n", "create-user", u, "--password-stdin"));
        }
        submit("alice@queue.test", "x@far.test", "q-far-alice");
        submit("bob@queue.test", "y@far.test", "q-far-bob");
        submit("alice@queue.test", "z@other.test", "q-other-alice");
        Await.until("three messages deferred once", WAIT, () -> {
            JsonNode items = list().path("items");
            int tried = 0;
            for (JsonNode m : items) {
                tried += m.path("recipients").get(0).path("attempts").asInt() >= 1 ? 1 : 0;
            }
            return tried == 3;
        });

        // filters: sender, recipient domain, age
        assertThat(ids("--sender", "alice@")).hasSize(2);
        assertThat(ids("--domain", "far.test")).hasSize(2);
        assertThat(ids("--domain", "other.test", "--sender", "alice@")).hasSize(1);
        assertThat(ids("--older-than", "1h")).isEmpty();
        assertThat(ids("--newer-than", "1h")).hasSize(3);
        String farBob = ids("--sender", "bob@").get(0);
        String farAlice = ids("--sender", "alice@", "--domain", "far.test").get(0);
        String otherAlice = ids("--domain", "other.test").get(0);
        Cli.Result text = Cli.run(base, "queue", "list", "--domain", "far.test");
        ok(text);
        assertThat(text.out()).contains(farBob, farAlice, "y@far.test", "(2 queued messages)").doesNotContain(otherAlice);

        // show: the attempt and its diagnostic per recipient
        Cli.Result show = Cli.run(base, "queue", "show", farBob);
        ok(show);
        assertThat(show.out()).contains("sender:       bob@queue.test", "recipient y@far.test: pending, 1 attempts",
                " deferred");

        // hold the far.test mail; held survives in the listing
        Cli.Result held = Cli.run(base, "queue", "hold", "--domain", "far.test");
        ok(held);
        assertThat(held.out()).startsWith("held 2 messages");
        assertThat(ids("--held")).containsExactlyInAnyOrder(farBob, farAlice);
        assertThat(ids("--held=false")).containsExactly(otherAlice);

        // far.test's MX comes up; retry (which releases) sends Bob's message now instead of in an hour
        Path sinkDir = Files.createTempDirectory("queue-sink-");
        Files.setPosixFilePermissions(sinkDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Process sink = new ProcessBuilder("smtp-sink", "-u", "nobody", "-d", sinkDir.resolve("msg").toString(),
                "-h", "mx.far.test", "127.0.0.12:" + farPort, "16").redirectErrorStream(true)
                .redirectOutput(sinkDir.resolve("sink.log").toFile()).start();
        try {
            Await.until("smtp-sink listens", WAIT, () -> {
                try (Socket s = new Socket("127.0.0.12", farPort)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            ok(Cli.run(base, "queue", "retry", farBob));
            Await.until("Bob's message left the queue", WAIT, () -> !ids().contains(farBob));
            List<String> received = sinkMessages(sinkDir);
            assertThat(received).hasSize(1);
            assertThat(received.get(0)).contains("q-far-bob", "DKIM-Signature:", "d=queue.test");

            // release: Alice's far.test message goes back to its schedule (an hour away), not now
            Cli.Result released = Cli.run(base, "-o", "json", "queue", "release", farAlice);
            ok(released);
            assertThat(JSON.readTree(released.out()).path("changed").get(0).asText()).isEqualTo(farAlice);
            JsonNode m = JSON.readTree(Cli.run(base, "-o", "json", "queue", "show", farAlice).out());
            assertThat(m.path("held").asBoolean()).isFalse();
            assertThat(m.path("recipients").get(0).path("attempts").asInt()).isEqualTo(1);

            // drop: gone without a DSN, never delivered
            Cli.Result dropped = Cli.run(base, "queue", "drop", farAlice);
            ok(dropped);
            assertThat(dropped.out()).startsWith("dropped 1 message");
            assertThat(ids()).doesNotContain(farAlice);
            assertThat(sinkMessages(sinkDir)).hasSize(1);
        } finally {
            sink.destroy();
            sink.waitFor(5, TimeUnit.SECONDS);
        }

        // bounce: the sender gets a failure DSN in her mailbox
        ok(Cli.run(base, "queue", "bounce", otherAlice));
        byte[] dsn = Await.value("the DSN in Alice's mailbox", WAIT, () -> {
            for (byte[] b : ImapMailbox.inbox(ControllerServers.dovecot.imapPort(), "alice@queue.test", PW)) {
                if (new String(b, StandardCharsets.UTF_8).contains("z@other.test")) {
                    return b;
                }
            }
            return null;
        });
        String d = new String(dsn, StandardCharsets.UTF_8);
        assertThat(d).contains("Action: failed", "Status: 5.0.0", "Final-Recipient: rfc822; z@other.test");
        Await.until("the queue is empty", WAIT, () -> ids().isEmpty());
    }

    @Test
    void anOperationWithoutSelectionIsRefusedAndAnUnknownIdIsNotFound() {
        Cli.Result r = Cli.run(base, "queue", "drop");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("select messages by id or by a filter");
        Cli.Result missing = Cli.run(base, "queue", "show", "0000000000000-000000000000");
        assertThat(missing.exitCode()).isEqualTo(2);
        Cli.Result bad = Cli.run(base, "queue", "list", "--older-than", "soon");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("bad duration soon");
    }

    static void ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    Map<String, String> env() {
        return Map.of("MAILROOM_URL", base.toString(), "MAILROOM_TOKEN", ControllerServers.TOKEN);
    }

    JsonNode list(String... filters) {
        List<String> args = new ArrayList<>(List.of("-o", "json", "queue", "list"));
        args.addAll(List.of(filters));
        Cli.Result r = Cli.run(base, args.toArray(String[]::new));
        ok(r);
        try {
            return JSON.readTree(r.out());
        } catch (java.io.IOException e) {
            throw new AssertionError(r.out(), e);
        }
    }

    List<String> ids(String... filters) {
        return list(filters).path("items").findValuesAsText("id");
    }

    static void submit(String from, String to, String subject) throws Exception {
        Process p = new ProcessBuilder("swaks", "--timeout", "20", "--server", "127.0.0.1:" + outbox.submissionsPort(),
                "--tlsc", "--auth", "PLAIN", "--auth-user", from, "--auth-password", PW, "--from", from, "--to", to,
                "--header", "Subject: " + subject).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    static List<String> sinkMessages(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            for (Path f : files.filter(x -> x.getFileName().toString().startsWith("msg")).toList()) {
                out.add(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
            return out;
        }
    }
}
