package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of Dovecot while 20 SMTP sessions deliver through the Inbox, so that LMTP transactions
 * are cut in the middle. The Inbox answers 250 only after Dovecot took the copy, so every 250 must
 * be in a mailbox after Dovecot's restart; what got a 4xx is sent again, as a sending MTA would, and
 * may then arrive twice when Dovecot had stored it just before the kill (at-least-once, RFC 5321
 * §6.1): such duplicates are counted and allowed only for messages that got a 4xx.
 */
class DovecotKillIT {
    static final int SESSIONS = 20;
    static final int PER_SESSION = 12;
    static final List<String> USERS = List.of("alice@example.test", "bob@example.test");

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path dir;

    static RedisConnections redis;
    static InboxServer inbox;

    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** Got a 4xx (or no reply) and still waits for its retry. */
    final Set<String> deferred = ConcurrentHashMap.newKeySet();
    /** Got a 4xx (or no reply) at least once. */
    final Set<String> everDeferred = ConcurrentHashMap.newKeySet();
    final Map<String, String> other = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisConnections.open(mail.redis().uri());
        AccountStore store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        store.createDomain("example.test");
        for (String u : USERS) {
            store.createUser(u, "pw-" + u);
        }
        TestCertificates.PemFiles tls = TestCertificates.selfSigned(dir, "mx.example.test");
        SmtpServerSettings smtp = SmtpServerSettings.builder().hostName("mx.example.test").softwareName("Mail Room")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).tls(tls.certificate(), tls.key()).build();
        inbox = new InboxServer(new InboxPipeline(InboxSettings.plain(smtp, "127.0.0.1", mail.dovecot().lmtpPort()),
                store, new DeliveryLedger(redis.dataSource(), Duration.ofDays(5)), null, null)).start();
    }

    @AfterAll
    static void stop() {
        if (inbox != null) {
            inbox.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void killMinus9OfDovecotDuringLmtpLosesNoMessageThatGot250() throws Exception {
        String body = ("0123456789abcdef".repeat(4) + "\r\n").repeat(250); // 16 KB: LMTP DATA takes a while
        List<Thread> load = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            int session = s;
            load.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < PER_SESSION; i++) {
                    send("dk-" + session + "-" + i, USERS.get(i % 2), body);
                }
            }));
        }
        Await.until("40 messages accepted", Duration.ofSeconds(60), () -> accepted.size() >= 40);
        mail.dovecot().kill();
        for (Thread t : load) {
            t.join(120_000);
        }
        int acceptedBeforeRestart = accepted.size();
        int deferredAtKill = deferred.size();
        TestMail.restart(mail.dovecot());
        // the sending MTAs retry what got a 4xx
        for (String subject : List.copyOf(deferred)) {
            String reply = send(subject, USERS.get(Integer.parseInt(subject.substring(subject.lastIndexOf('-') + 1)) % 2), body);
            assertThat(reply).as("retry of " + subject).startsWith("250");
        }
        List<String> stored = new ArrayList<>();
        for (String u : USERS) {
            for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), u, "pw-" + u)) {
                Matcher mm = Pattern.compile("Subject: (dk-\\d+-\\d+)").matcher(new String(m, StandardCharsets.UTF_8));
                if (mm.find()) {
                    stored.add(mm.group(1));
                }
            }
        }
        Map<String, Long> counts = stored.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        List<String> lost = accepted.stream().filter(x -> !counts.containsKey(x)).sorted().toList();
        List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        System.out.printf("kill -9 of Dovecot during LMTP: %d accepted (250; %d before the restart), %d delivered, %d lost,"
                + " %d duplicates; %d got a 4xx around the kill and were sent again; other replies: %s%n", accepted.size(),
                acceptedBeforeRestart, counts.size(), lost.size(), stored.size() - counts.size(), deferredAtKill, other);
        assertThat(other).as("every reply is a 250 or a 4xx").isEmpty();
        assertThat(accepted).hasSize(SESSIONS * PER_SESSION);
        assertThat(lost).as("messages lost after their 250").isEmpty();
        assertThat(everDeferred).as("duplicates only of messages whose first try got a 4xx").containsAll(duplicated);
        assertThat(deferredAtKill).as("the kill cut transactions under way").isPositive();
    }

    /** One SMTP transaction; returns the reply to the message and records the subject by its outcome. */
    private String send(String subject, String rcpt, String body) {
        try (SmtpTalk c = new SmtpTalk(inbox.port())) {
            c.reply();
            c.command("EHLO client.example.com");
            c.command("MAIL FROM:<s@example.com>");
            String r = c.command("RCPT TO:<" + rcpt + ">");
            if (r.startsWith("250")) {
                c.command("DATA");
                r = c.command("From: s@example.com\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject
                        + "@example.com>\r\n\r\n" + body + ".");
            }
            if (r != null && r.startsWith("250")) {
                accepted.add(subject);
                deferred.remove(subject);
            } else if (r != null && r.startsWith("4")) {
                deferred.add(subject);
                everDeferred.add(subject);
            } else {
                other.put(subject, String.valueOf(r));
            }
            return r;
        } catch (java.io.IOException e) {
            deferred.add(subject); // no reply at all: the sender tries again, like after a 4xx
            everDeferred.add(subject);
            return "no reply: " + e.getMessage();
        }
    }
}
