package io.mailroom.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.outbox.peers.OutboxProcess;
import io.mailroom.outbox.peers.RawSubmission;
import io.mailroom.outbox.peers.SmtpSink;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.RedisExtension;
import io.mailroom.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of the Outbox while it delivers: every message that got its 250 is delivered after the
 * restart, and duplicates are limited to the transactions in flight at the moment of the kill.
 */
class CrashIT {
    static final int N = 300;
    static final int WORKERS = 4;

    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @Test
    void everyAcceptedMessageIsDeliveredAfterKillMinus9AndRestart() throws Exception {
        Path tmp = Files.createTempDirectory("outbox-crash-");
        int sinkPort = FreePorts.next();
        SmtpSink sink = null;
        try (RedisConnections rc = RedisConnections.open(redis.uri())) {
            AccountStore store = new AccountStore(rc.dataSource(), new StoreSettings(tmp.resolve("mail"), '+', 4));
            store.createDomain("example.test");
            store.createUser("alice@example.test", "correct horse battery");
            var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.example.test");
            Map<String, String> p = new HashMap<>();
            p.put("mailroom.redis.uri", redis.uri());
            p.put("mailroom.hostname", "mail.example.test");
            p.put("mailroom.submission.port", "0");
            p.put("mailroom.submissions.port", "0");
            p.put("mailroom.tls.cert", cert.certificate().toString());
            p.put("mailroom.tls.key", cert.key().toString());
            p.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
            p.put("mailroom.key-dir", tmp.resolve("keys").toString());
            p.put("mailroom.outbox.routes", "*=127.0.0.9:" + sinkPort);
            p.put("mailroom.outbox.workers", String.valueOf(WORKERS));
            p.put("mailroom.outbox.retry-schedule", "1s");
            p.put("mailroom.outbox.rate-limit", "100000");

            OutboxProcess first = new OutboxProcess(p, tmp.resolve("outbox-1.log"));
            int accepted = 0;
            try (RawSubmission s = new RawSubmission(first.submissionsPort, true)) {
                assertThat(s.login("alice@example.test", "correct horse battery")).startsWith("235");
                for (int i = 0; i < N; i++) {
                    s.cmd("MAIL FROM:<alice@example.test>");
                    s.cmd("RCPT TO:<r" + (i % 7) + "@crash.test>");
                    s.cmd("DATA");
                    String reply = s.cmd("From: alice@example.test\r\nSubject: crash-" + i + "\r\n\r\nbody " + i + "\r\n.");
                    if (reply.startsWith("250")) {
                        accepted++;
                    }
                }
            }
            assertThat(accepted).isEqualTo(N);
            // the remote MX comes up only now, so the kill below finds the queue mid-way
            sink = new SmtpSink("127.0.0.9", sinkPort, "mx.crash.test");
            // kill while the queue is still being worked on
            Instant end = Instant.now().plusSeconds(30);
            while (sink.messages().size() < N / 3 && Instant.now().isBefore(end)) {
                Thread.sleep(5);
            }
            first.kill9();
            int atKill = sink.messages().size();
            long spooledAtKill;
            try (Stream<Path> f = Files.list(tmp.resolve("spool"))) {
                spooledAtKill = f.filter(x -> x.toString().endsWith(".msg")).count();
            }
            assertThat(atKill).as("killed while delivering").isLessThan(N);

            OutboxProcess second = new OutboxProcess(p, tmp.resolve("outbox-2.log"));
            try {
                // drained: no message file left in the spool, so nothing more can be delivered (or duplicated)
                Await.until("the restarted Outbox drained its spool", Duration.ofSeconds(60), () -> spooled(tmp) == 0);
            } finally {
                second.close();
            }
            int total = sink.messages().size();
            int distinct = distinct(sink);
            System.out.printf("kill -9 during remote delivery: %d accepted (250), %d delivered, %d lost, %d duplicates;"
                    + " %d delivered before the kill, %d still spooled at the kill%n", N, distinct, N - distinct,
                    total - distinct, atKill, spooledAtKill);
            assertThat(distinct).as("no accepted message lost").isEqualTo(N);
            assertThat(total - distinct).as("duplicates only from transactions in flight at the kill").isLessThanOrEqualTo(WORKERS);
            try (Stream<Path> f = Files.list(tmp.resolve("spool"))) {
                assertThat(f.filter(x -> !x.getFileName().toString().startsWith(".")).toList()).isEmpty();
            }
        } finally {
            if (sink != null) {
                sink.close();
            }
        }
    }

    static long spooled(Path tmp) {
        try (Stream<Path> f = Files.list(tmp.resolve("spool"))) {
            return f.filter(x -> x.toString().endsWith(".msg")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int distinct(SmtpSink sink) {
        Pattern subj = Pattern.compile("Subject: (crash-\\d+)");
        return (int) sink.messages().stream().map(m -> {
            Matcher mm = subj.matcher(m);
            return mm.find() ? mm.group(1) : "?";
        }).distinct().filter(x -> !x.equals("?")).count();
    }
}
