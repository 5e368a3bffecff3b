package io.mailroom.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.outbox.peers.GreylistingServer;
import io.mailroom.outbox.peers.RawSubmission;
import io.mailroom.outbox.queue.Attempt;
import io.mailroom.outbox.queue.DeferralReason;
import io.mailroom.outbox.queue.QueueFilter;
import io.mailroom.outbox.queue.QueuedMessage;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.RedisExtension;
import io.mailroom.testkit.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queue keeps its schedule, with the queue's clock standing still until the test moves it: a
 * retry comes at the saved time and not before, the time is saved before the attempt starts, a
 * restart obeys it, and expiry after days takes milliseconds.
 */
class QueueScheduleIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    static final Duration FIRST = Duration.ofMinutes(1);
    static final Duration SECOND = Duration.ofMinutes(5);
    /** Generous: each attempt fsyncs the spool a few times, which takes seconds on a machine busy with disk I/O. */
    static final Duration WAIT = Duration.ofSeconds(120);
    static final ObjectMapper JSON = new ObjectMapper();

    Path tmp;
    RedisConnections rc;
    AccountStore store;
    GreylistingServer grey;
    ServerSocket silent;
    final List<Socket> silentClients = new ArrayList<>();
    MutableClock clock;
    Map<String, String> props;
    Outbox outbox;

    @BeforeEach
    void start() throws Exception {
        tmp = Files.createTempDirectory("outbox-schedule-");
        rc = RedisConnections.open(redis.uri());
        store = new AccountStore(rc.dataSource(), new StoreSettings(tmp.resolve("mail"), '+', 4));
        if (store.domain("example.test").isEmpty()) {
            store.createDomain("example.test");
            store.createUser("alice@example.test", "correct horse battery");
        }
        grey = new GreylistingServer("127.0.0.3", FreePorts.next());
        // a peer that accepts the connection and never says a word: an attempt that hangs
        silent = new ServerSocket();
        silent.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.11"), FreePorts.next()));
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    Socket s = silent.accept();
                    synchronized (silentClients) {
                        silentClients.add(s);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.example.test");
        props = new HashMap<>();
        props.put("mailroom.hostname", "mail.example.test");
        props.put("mailroom.submission.port", "0");
        props.put("mailroom.submissions.port", "0");
        props.put("mailroom.tls.cert", cert.certificate().toString());
        props.put("mailroom.tls.key", cert.key().toString());
        props.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
        props.put("mailroom.lmtp.port", String.valueOf(FreePorts.next())); // nothing listens: local DSNs wait
        props.put("mailroom.outbox.routes", "example.org=127.0.0.3:" + grey.port() + ",hang.test=127.0.0.11:"
                + silent.getLocalPort());
        props.put("mailroom.outbox.retry-schedule", "1m,5m");
        props.put("mailroom.outbox.delay-warning", "4h");
        props.put("mailroom.outbox.max-queue-time", "5d");
        props.put("mailroom.outbox.read-timeout", "30s");
        clock = new MutableClock(Instant.parse("2026-06-01T10:00:00Z"));
        outbox = outbox();
    }

    Outbox outbox() throws IOException {
        return new Outbox(OutboxTestConfig.settings(props), store, new KeyDirectory(tmp.resolve("keys")), null, clock);
    }

    @AfterEach
    void stop() throws Exception {
        if (outbox != null) {
            outbox.close();
        }
        grey.close();
        silent.close();
        synchronized (silentClients) {
            for (Socket s : silentClients) {
                s.close();
            }
        }
        rc.close();
    }

    String submit(String rcpt, String subject) throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", "correct horse battery")).startsWith("235");
            s.cmd("MAIL FROM:<alice@example.test>");
            assertThat(s.cmd("RCPT TO:<" + rcpt + ">")).startsWith("250");
            s.cmd("DATA");
            String reply = s.cmd("From: alice@example.test\r\nSubject: " + subject + "\r\n\r\nbody\r\n.");
            assertThat(reply).startsWith("250");
        }
        List<QueuedMessage> q = outbox.queue().list(new QueueFilter(List.of(), null, rcpt.substring(rcpt.indexOf('@') + 1),
                null, null, null));
        assertThat(q).hasSize(1);
        return q.get(0).id();
    }

    /** Waits until the message's single recipient has {@code n} attempts and the worker let go of it. */
    QueuedMessage afterAttempts(String id, int n) {
        return Await.value(n + " attempts of " + id, WAIT, () -> {
            QueuedMessage m = outbox.queue().list(new QueueFilter(List.of(id), null, null, null, null, null)).stream()
                    .findFirst().orElse(null);
            boolean done = m != null && m.recipients().get(0).attempts() >= n
                    && (m.finished() || outbox.queue().scheduledAt(id) != null);
            return done ? m : null;
        });
    }

    @Test
    void aDeferredRecipientIsRetriedAtTheSavedTimeWithJitterAndNotBefore() throws Exception {
        Instant t0 = clock.instant();
        String id = submit("carol@example.org", "greylisted");
        QueuedMessage first = afterAttempts(id, 1);
        Instant next = first.nextAttempt();
        assertThat(next).as("interval plus 0-10 %% jitter").isBetween(t0.plus(FIRST), t0.plus(FIRST).plusSeconds(6));
        assertThat(outbox.queue().scheduledAt(id)).as("the workers use the saved time").isEqualTo(next);
        assertThat(onDisk(id).get("nextAttempt").asText()).isEqualTo(next.toString());
        Attempt a = first.recipients().get(0).history().get(0);
        assertThat(a.outcome()).isEqualTo("deferred");
        assertThat(a.reply()).startsWith("451 4.7.1");
        assertThat(a.at()).isEqualTo(t0);
        assertThat(outbox.queue().deferrals(DeferralReason.POLICY)).isEqualTo(1);

        clock.set(next.minusMillis(1));
        outbox.queue().wake();
        // a worker that woke now would find nothing due; the due time is unchanged and no second attempt is recorded
        assertThat(outbox.queue().scheduledAt(id)).isEqualTo(next);
        clock.set(next);
        outbox.queue().wake();
        Await.until("the retry delivered " + id, WAIT, () -> outbox.queue().list(QueueFilter.all()).isEmpty());
        assertThat(grey.received).hasSize(1);
        assertThat(grey.greylisted).isEqualTo(1);
    }

    @Test
    void theNextAttemptIsSavedBeforeTheAttemptStartsSoACrashDuringItDoesNotRetryAtOnce() throws Exception {
        Instant t0 = clock.instant();
        String id = submit("dan@hang.test", "hangs");
        Await.until("the attempt reached the silent peer", WAIT, () -> {
            synchronized (silentClients) {
                return !silentClients.isEmpty();
            }
        });
        // during the first attempt: the spool already says when to try again if the process dies now
        JsonNode state = onDisk(id);
        assertThat(Instant.parse(state.get("nextAttempt").asText())).isAfter(t0.plus(FIRST).minusMillis(1));
        assertThat(state.get("recipients").get(0).path("attempts").asInt()).isZero();

        // a second attempt (the retry of a deferral) writes its own next time before it starts
        silent.close();
        synchronized (silentClients) {
            for (Socket s : silentClients) {
                s.close(); // the first attempt ends: connection lost, deferred
            }
        }
        QueuedMessage first = afterAttempts(id, 1);
        clock.set(first.nextAttempt());
        outbox.queue().wake();
        QueuedMessage second = afterAttempts(id, 2);
        assertThat(second.nextAttempt()).isBetween(first.nextAttempt().plus(SECOND),
                first.nextAttempt().plus(SECOND).plusSeconds(30));
        assertThat(second.recipients().get(0).history()).extracting(Attempt::outcome).containsExactly("deferred", "deferred");
    }

    @Test
    void aRestartObeysTheSavedScheduleInsteadOfTryingEverythingAtOnce() throws Exception {
        String id = submit("erin@example.org", "restart");
        QueuedMessage first = afterAttempts(id, 1);
        outbox.close();
        outbox = null;
        clock.advance(Duration.ofSeconds(30)); // the restart comes before the retry is due
        outbox = outbox();
        assertThat(outbox.queue().scheduledAt(id)).as("recovered with its saved time").isEqualTo(first.nextAttempt());
        assertThat(outbox.queue().get(id).recipients().get(0).attempts()).isEqualTo(1);
        clock.set(first.nextAttempt());
        outbox.queue().wake();
        Await.until("delivered after the restart", WAIT, () -> outbox.queue().size() == 0);
        assertThat(grey.received).hasSize(1);
        assertThat(grey.greylisted).isEqualTo(1);
    }

    @Test
    void aHoldSurvivesARestartAndAReleaseGoesOnWithTheSchedule() throws Exception {
        String id = submit("gina@example.org", "held");
        QueuedMessage first = afterAttempts(id, 1);
        QueueFilter one = new QueueFilter(List.of(id), null, null, null, null, null);
        assertThat(outbox.queue().hold(one).changed()).containsExactly(id);
        assertThat(outbox.queue().scheduledAt(id)).as("held: not scheduled").isNull();
        outbox.close();
        outbox = null;
        clock.set(first.nextAttempt().plus(Duration.ofHours(1))); // long past its retry time
        outbox = outbox();
        assertThat(outbox.queue().get(id).held()).as("the hold was saved").isTrue();
        assertThat(outbox.queue().scheduledAt(id)).as("still held after the restart").isNull();
        assertThat(outbox.queue().get(id).recipients().get(0).attempts()).isEqualTo(1);

        assertThat(outbox.queue().release(one).changed()).containsExactly(id);
        Await.until("delivered after the release", WAIT, () -> outbox.queue().size() == 0);
        assertThat(grey.received).hasSize(1);
        assertThat(onDiskIds()).isEmpty();
    }

    List<String> onDiskIds() throws IOException {
        try (var f = Files.list(tmp.resolve("spool"))) {
            return f.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }

    @Test
    void aRecipientStillDeferredAfterFiveDaysFailsWithADsnInMilliseconds() throws Exception {
        String id = submit("busy@example.org", "expires");
        QueuedMessage m = afterAttempts(id, 1);
        int attempts = 1;
        // jump a day past each saved retry time until the queue time is over
        while (outbox.queue().size() > 0 && outbox.queue().list(new QueueFilter(List.of(id), null, null, null, null,
                null)).size() == 1) {
            clock.set(m.nextAttempt().plus(Duration.ofDays(1)));
            outbox.queue().wake();
            attempts++;
            int n = attempts;
            try {
                Await.until("attempt " + n, WAIT, () -> {
                    List<QueuedMessage> l = outbox.queue().list(new QueueFilter(List.of(id), null, null, null, null, null));
                    return l.isEmpty() || l.get(0).recipients().get(0).attempts() >= n && outbox.queue().scheduledAt(id) != null;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; clock " + clock.instant() + ", due " + outbox.queue()
                        .scheduledAt(id) + ", queue " + outbox.queue().list(QueueFilter.all()), e);
            }
            List<QueuedMessage> l = outbox.queue().list(new QueueFilter(List.of(id), null, null, null, null, null));
            if (l.isEmpty()) {
                break;
            }
            m = l.get(0);
            assertThat(attempts).as("gives up within 5 days").isLessThan(10);
        }
        // attempt k (k >= 2) comes at 1d 1m + (k - 2) x (1d 5m): the 6th, at 5d 21m, is the first after 5 days
        assertThat(attempts).isEqualTo(6);
        List<QueuedMessage> dsn = outbox.queue().list(new QueueFilter(List.of(), null, "example.test", null, null, null));
        // the delay warning after 4 h, then the failure (RFC 3464 actions), both to the sender
        assertThat(dsn).hasSize(2);
        List<String> actions = new ArrayList<>();
        for (QueuedMessage d : dsn) {
            assertThat(d.sender()).as("a DSN has the null sender").isEmpty();
            assertThat(d.recipients().get(0).address()).isEqualTo("alice@example.test");
            String text = Files.readString(tmp.resolve("spool").resolve(d.id() + ".msg"));
            actions.add(text.contains("Action: delayed") ? "delayed" : text.contains("Action: failed") ? "failed" : "?");
        }
        assertThat(actions).containsExactly("delayed", "failed");
    }

    JsonNode onDisk(String id) throws IOException {
        Path state = tmp.resolve("spool").resolve(id + ".json");
        if (Files.exists(state)) {
            return JSON.readTree(state.toFile());
        }
        String first = Files.readString(tmp.resolve("spool").resolve(id + ".msg")).lines().findFirst().orElseThrow();
        return JSON.readTree(first);
    }
}
