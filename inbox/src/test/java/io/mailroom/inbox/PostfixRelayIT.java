package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ExternalServer;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Postfix as the sending MTA ({@code relayhost = [127.0.0.1]:<inbox>}, STARTTLS when
 * offered, PIPELINING) in front of the Inbox and a real Dovecot: what a remote MX peer does with
 * our replies — delivers, bounces a 5xx, defers a 4xx and retries.
 */
class PostfixRelayIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    static Path work;
    static RedisConnections redis;
    static AccountStore store;
    static InboxServer inbox;
    static int postfixPort;

    @BeforeAll
    static void start() throws Exception {
        // a missing requirement fails the test: a skip would read as a pass in the summary
        assertThat(ExternalServer.runningAsRoot()).as("Postfix's master needs root: run this test as root").isTrue();
        for (String tool : List.of("postfix", "postqueue", "swaks")) {
            assertThat(onPath(tool)).as(tool + " must be installed (Debian packages postfix, swaks)").isTrue();
        }
        work = Files.createTempDirectory("inbox-postfix-it-");
        // Postfix's daemons run as the postfix user and must reach their queue and data dirs
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        redis = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        TestCertificates.PemFiles tls = TestCertificates.selfSigned(work.resolve("tls"), "mx.example.test");
        SmtpServerSettings smtp = SmtpServerSettings.builder().hostName("mx.example.test").softwareName("Mail Room")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).tls(tls.certificate(), tls.key()).build();
        inbox = new InboxServer(new InboxPipeline(InboxSettings.plain(smtp, "127.0.0.1", mail.dovecot().lmtpPort()),
                store, new DeliveryLedger(redis.dataSource(), Duration.ofDays(1)), null, null)).start();
        postfixPort = FreePorts.next();
        run("../bench/inbox/postfix-mx.sh", "relay", work.resolve("postfix").toString(), String.valueOf(postfixPort),
                String.valueOf(inbox.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (work != null) {
            run("../bench/inbox/postfix-mx.sh", "stop", work.resolve("postfix").toString());
        }
        if (inbox != null) {
            inbox.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void accounts() throws Exception {
        mail.redis().flushAll();
        TestMail.deleteMailboxes(mail.dovecot().mailRoot());
        store.createDomain("example.test");
        store.createUser("alice@example.test", "alice-password");
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : (System.getenv("PATH") + ":/usr/sbin:/usr/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static boolean postfixQueueEmpty() {
        try {
            Process p = new ProcessBuilder("postqueue", "-c", work.resolve("postfix/etc").toString(), "-p")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.contains("Mail queue is empty");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String maillog() throws IOException {
        return Files.readString(work.resolve("postfix/maillog"));
    }

    private static List<byte[]> alice() {
        return ImapMailbox.inbox(mail.dovecot().imapPort(), "alice@example.test", "alice-password");
    }

    private static void waitFor(BooleanSupplier condition, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what + "\n" + maillog());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void postfixDeliversOverStartTlsAndTheMessageReachesDovecot() throws Exception {
        Swaks.Result r = Swaks.send(postfixPort, "sender@example.com", "alice@example.test", "--header", "Subject: via postfix");
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        waitFor(() -> alice().size() == 1, "delivery through Postfix");
        String m = new String(alice().get(0), StandardCharsets.UTF_8);
        assertThat(m).contains("Subject: via postfix")
                .containsPattern("Received: from postfix-relay.bench.test \\(unknown \\[127.0.0.1\\]\\)\\s+\\(using TLSv1\\.[23] with cipher")
                .contains("with ESMTPS id");
        assertThat(maillog()).contains("status=sent (250 2.0.0 Ok: queued as");
    }

    @Test
    void unknownUserIsBouncedByPostfixNotRetried() throws Exception {
        Swaks.Result r = Swaks.send(postfixPort, "sender@example.com", "nobody@example.test", "--header", "Subject: to nobody");
        assertThat(r.accepted()).isTrue(); // Postfix takes it, then our 550 makes it bounce
        waitFor(() -> {
            try {
                return maillog().contains("to=<nobody@example.test>") && maillog().contains("status=bounced");
            } catch (IOException e) {
                return false;
            }
        }, "the bounce");
        assertThat(maillog()).contains("dsn=5.1.1");
    }

    @Test
    void dovecotOutageIsDeferredAndDeliveredOnceAfterwards() throws Exception {
        mail.dovecot().kill();
        try {
            Swaks.Result r = Swaks.send(postfixPort, "sender@example.com", "alice@example.test", "--header", "Subject: during outage");
            assertThat(r.accepted()).isTrue();
            waitFor(() -> {
                try {
                    return maillog().contains("status=deferred (host 127.0.0.1[127.0.0.1] said: 451 4.3.0");
                } catch (IOException e) {
                    return false;
                }
            }, "the deferral");
        } finally {
            TestMail.restart(mail.dovecot());
        }
        run("postqueue", "-c", work.resolve("postfix/etc").toString(), "-f");
        waitFor(() -> alice().size() == 1, "delivery after the retry");
        // Postfix removes a message only after our 250: with its queue empty nothing more can arrive
        waitFor(PostfixRelayIT::postfixQueueEmpty, "Postfix's queue to drain");
        assertThat(alice()).hasSize(1);
        assertThat(new String(alice().get(0), StandardCharsets.UTF_8)).contains("Subject: during outage");
    }
}
