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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of the Outbox while clients submit: during SMTP transactions under load, and at the
 * moment a message is half written to the spool. After a restart the set of messages that got a
 * 250 is compared with what the remote MX (Postfix's smtp-sink) received: none may be lost; a
 * message may arrive twice only when the kill came between the peer's 250 and the spool update
 * (at-least-once, RFC 5321 §6.1), at most one per delivery worker, and each duplicate is counted.
 * A message without a 250 may or may not arrive: its client had no promise and retries it.
 */
class OutboxKillIT {
    static final int WORKERS = 4;
    static final int SESSIONS = 8;
    static final int PER_SESSION = 60;

    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    Path tmp;
    RedisConnections rc;
    int sinkPort;
    SmtpSink sink;
    Map<String, String> props;
    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    final Set<String> tried = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() throws Exception {
        tmp = Files.createTempDirectory("outbox-kill-");
        rc = RedisConnections.open(redis.uri());
        AccountStore store = new AccountStore(rc.dataSource(), new StoreSettings(tmp.resolve("mail"), '+', 4));
        if (store.domain("example.test").isEmpty()) {
            store.createDomain("example.test");
            store.createUser("alice@example.test", "correct horse battery");
        }
        var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.example.test");
        sinkPort = FreePorts.next();
        props = new HashMap<>();
        props.put("mailroom.redis.uri", redis.uri());
        props.put("mailroom.hostname", "mail.example.test");
        props.put("mailroom.submission.port", "0");
        props.put("mailroom.submissions.port", "0");
        props.put("mailroom.tls.cert", cert.certificate().toString());
        props.put("mailroom.tls.key", cert.key().toString());
        props.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
        props.put("mailroom.key-dir", tmp.resolve("keys").toString());
        props.put("mailroom.outbox.routes", "*=127.0.0.9:" + sinkPort);
        props.put("mailroom.outbox.workers", String.valueOf(WORKERS));
        props.put("mailroom.outbox.retry-schedule", "1s");
        props.put("mailroom.outbox.rate-limit", "100000");
    }

    @AfterEach
    void tearDown() {
        if (sink != null) {
            sink.close();
        }
        rc.close();
    }

    @Test
    void killMinus9DuringSubmissionUnderLoadLosesNoAcceptedMessage() throws Exception {
        sink = new SmtpSink("127.0.0.9", sinkPort, "mx.kill.test"); // delivering while submissions go on
        OutboxProcess first = new OutboxProcess(props, tmp.resolve("outbox-1.log"));
        List<Thread> load = load(first, 200);
        // mid-load: enough accepted that sessions are surely in the middle of transactions
        Await.until("150 messages accepted", Duration.ofSeconds(60), () -> accepted.size() >= 150);
        first.kill9();
        for (Thread t : load) {
            t.join(30_000);
        }
        report("during submission", tmp.resolve("outbox-2.log"));
    }

    @Test
    void killMinus9WhileAMessageIsHalfWrittenToTheSpoolLosesNoAcceptedMessage() throws Exception {
        // the MX stays down until after the restart, so the kill finds the spool busy with writes only
        Path spool = tmp.resolve("spool");
        BooleanSupplier halfWritten = () -> {
            try (Stream<Path> f = Files.list(spool)) {
                return f.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
            } catch (java.io.IOException e) {
                return false;
            }
        };
        // a write can finish between seeing its temporary file and the kill (an idle machine writes fast):
        // then the same spool is started and killed again, up to five times, until a kill lands mid-write
        long tmpFiles = 0;
        for (int round = 1; round <= 5 && tmpFiles == 0; round++) {
            OutboxProcess outbox = new OutboxProcess(props, tmp.resolve("outbox-kill-" + round + ".log"));
            List<Thread> load = load(outbox, 512 * 1024);
            Await.until("20 accepted and a spool write under way", Duration.ofSeconds(60),
                    () -> accepted.size() >= 20 && halfWritten.getAsBoolean());
            outbox.kill9();
            try (Stream<Path> f = Files.list(spool)) {
                tmpFiles = f.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
            }
            for (Thread t : load) {
                t.join(30_000);
            }
        }
        sink = new SmtpSink("127.0.0.9", sinkPort, "mx.kill.test");
        report("during the spool write (" + tmpFiles + " half-written files at the kill)", tmp.resolve("outbox-2.log"));
        assertThat(tmpFiles).as("the kill came during a spool write").isPositive();
    }

    /** Restarts the Outbox, waits until its spool is drained, then compares and prints the counts. */
    private void report(String when, Path log) throws Exception {
        OutboxProcess second = new OutboxProcess(props, log);
        try {
            Await.until("the restarted Outbox drained its spool", Duration.ofSeconds(120), () -> spooled() == 0);
        } finally {
            second.close();
        }
        List<String> received = subjects();
        Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        List<String> lost = accepted.stream().filter(s -> !counts.containsKey(s)).sorted().toList();
        long duplicates = received.size() - counts.size();
        long unacknowledged = counts.keySet().stream().filter(s -> !accepted.contains(s)).count();
        System.out.printf("kill -9 %s: %d accepted (250), %d delivered, %d lost, %d duplicates; %d tried without a 250,"
                + " %d of them delivered%n", when, accepted.size(), counts.size(), lost.size(), duplicates,
                tried.size() - accepted.size(), unacknowledged);
        assertThat(lost).as("accepted messages lost").isEmpty();
        assertThat(duplicates).as("duplicates only from deliveries in flight at the kill").isLessThanOrEqualTo(WORKERS);
        assertThat(counts.keySet()).as("nothing delivered that no client sent").isSubsetOf(tried);
        try (Stream<Path> f = Files.list(tmp.resolve("spool"))) {
            assertThat(f.map(p -> p.getFileName().toString()).toList()).as("no entry kept aside as corrupt")
                    .noneMatch(n -> n.endsWith(".corrupt"));
        }
    }

    /** SESSIONS clients, each sending up to PER_SESSION messages with a unique subject until its connection dies. */
    private List<Thread> load(OutboxProcess outbox, int bodyBytes) {
        String body = ("0123456789abcdef".repeat(4) + "\r\n").repeat(Math.max(1, bodyBytes / 66));
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < SESSIONS; t++) {
            int session = t;
            threads.add(Thread.ofVirtual().start(() -> {
                try (RawSubmission s = new RawSubmission(outbox.submissionsPort, true)) {
                    if (!s.login("alice@example.test", "correct horse battery").startsWith("235")) {
                        return;
                    }
                    for (int i = 0; i < PER_SESSION && !stop.get(); i++) {
                        String subject = "kill-" + session + "-" + i;
                        s.cmd("MAIL FROM:<alice@example.test>");
                        s.cmd("RCPT TO:<r" + (i % 5) + "@kill.test>");
                        if (!s.cmd("DATA").startsWith("354")) {
                            return;
                        }
                        tried.add(subject);
                        String reply = s.cmd("From: alice@example.test\r\nSubject: " + subject + "\r\n\r\n" + body + ".");
                        if (reply.startsWith("250")) {
                            accepted.add(subject);
                        } else {
                            return; // the connection died with the process
                        }
                    }
                } catch (Exception e) {
                    // the kill: this session ends, what it had not got a 250 for is not accepted
                }
            }));
        }
        return threads;
    }

    private long spooled() {
        try (Stream<Path> f = Files.list(tmp.resolve("spool"))) {
            return f.filter(x -> x.toString().endsWith(".msg")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> subjects() {
        Pattern subj = Pattern.compile("Subject: (kill-\\d+-\\d+)");
        List<String> out = new ArrayList<>();
        for (String m : sink.messages()) {
            Matcher mm = subj.matcher(m);
            if (mm.find()) {
                out.add(mm.group(1));
            }
        }
        return out;
    }
}
