package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.Await;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.FaultProxy;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the Inbox process, once while clients are in the middle of DATA and once while the
 * Inbox is in the middle of LMTP transactions with Dovecot, under 20 sessions of bounded load.
 * The senders behave like MTAs: what got no reply or a 4xx is sent again until it gets a 250
 * (from the restarted Inbox). Every 250 must be in a mailbox (IMAP); a message may arrive twice
 * only when one of its attempts got no reply (RFC 5321 §6.1: at least once), and each such
 * duplicate is counted. Dovecot's answers are slowed by a loopback proxy so that the LMTP phase
 * is long enough to be hit.
 */
class InboxKillIT {
    static final int SESSIONS = 20;
    static final int PER_SESSION = 10;
    static final List<String> USERS = List.of("alice@example.test", "bob@example.test");
    static final Duration GIVE_UP = Duration.ofSeconds(120);

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path dir;

    static InboxFixture fixture;
    static FaultProxy lmtp;
    static int port;
    static InboxProcess inbox;

    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** Had an attempt without a reply or with a 4xx. */
    final Set<String> everCut = ConcurrentHashMap.newKeySet();
    final Map<String, String> other = new ConcurrentHashMap<>();
    final AtomicInteger sendingBody = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        fixture = InboxFixture.open(mail);
        fixture.accounts("example.test", USERS.toArray(String[]::new));
        // Dovecot answers each LMTP line 80 ms late: a transaction stays open for about half a second
        lmtp = new FaultProxy(mail.dovecot().lmtpPort()).replyDelay(Duration.ofMillis(80));
        port = FreePorts.next();
        inbox = startInbox();
    }

    static InboxProcess startInbox() throws IOException {
        return new InboxProcess(mail.redis().uri(), mail.dovecot().mailRoot(), lmtp.port(), port, dir.resolve("inbox.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (inbox != null) {
            inbox.close();
        }
        lmtp.close();
        fixture.close();
    }

    @Test
    void killMinus9OfTheInboxDuringDataAndDuringLmtpLosesNoMessageThatGot250() throws Exception {
        String body = ("0123456789abcdef".repeat(4) + "\r\n").repeat(30);
        List<Thread> load = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            int session = s;
            load.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < PER_SESSION; i++) {
                    deliver("ik-" + session + "-" + i, USERS.get(i % 2), body);
                }
            }));
        }
        Await.until("20 accepted and 3 clients in the middle of DATA", Duration.ofSeconds(60),
                () -> accepted.size() >= 20 && sendingBody.get() >= 3);
        int inDataAtKill = sendingBody.get();
        inbox.kill9();
        inbox = startInbox();

        Await.until("60 accepted and 3 LMTP transactions open", Duration.ofSeconds(60),
                () -> accepted.size() >= 60 && lmtp.openConnections() >= 3);
        int inLmtpAtKill = lmtp.openConnections();
        inbox.kill9();
        inbox = startInbox();

        for (Thread t : load) {
            t.join(GIVE_UP.toMillis() + 30_000);
        }
        List<String> stored = new ArrayList<>();
        for (String u : USERS) {
            for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), u, InboxFixture.password(u))) {
                Matcher mm = Pattern.compile("Subject: (ik-\\d+-\\d+)").matcher(new String(m, StandardCharsets.UTF_8));
                if (mm.find()) {
                    stored.add(mm.group(1));
                }
            }
        }
        Map<String, Long> counts = stored.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        List<String> lost = accepted.stream().filter(x -> !counts.containsKey(x)).sorted().toList();
        List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        System.out.printf("kill -9 of the Inbox (%d clients in DATA at the first kill, %d LMTP transactions open at the second):"
                + " %d accepted, %d delivered, %d lost, %d duplicates (%s); %d messages had an attempt cut; other replies: %s%n",
                inDataAtKill, inLmtpAtKill, accepted.size(), counts.size(), lost.size(), stored.size() - counts.size(),
                duplicated, everCut.size(), other);
        assertThat(other).as("every reply is a 250 or a 4xx").isEmpty();
        assertThat(accepted).hasSize(SESSIONS * PER_SESSION);
        assertThat(lost).as("messages lost after their 250").isEmpty();
        assertThat(everCut).as("duplicates only of messages with an attempt cut by a kill").containsAll(duplicated);
        assertThat(inDataAtKill).as("the first kill cut clients in DATA").isPositive();
        assertThat(inLmtpAtKill).as("the second kill cut LMTP transactions").isPositive();
    }

    /** Sends one message until it gets a 250, as a sending MTA retries after no reply or a 4xx. */
    private void deliver(String subject, String rcpt, String body) {
        Instant end = Instant.now().plus(GIVE_UP);
        while (Instant.now().isBefore(end)) {
            String r = attempt(subject, rcpt, body);
            if (r.startsWith("250")) {
                accepted.add(subject);
                return;
            }
            if (!r.startsWith("4") && !r.startsWith("no reply")) {
                other.put(subject, r);
                return;
            }
            everCut.add(subject);
            try {
                Thread.sleep(100); // the retry interval, much shorter than a real MTA's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        other.put(subject, "no 250 within " + GIVE_UP.toSeconds() + " s");
    }

    private String attempt(String subject, String rcpt, String body) {
        boolean inBody = false;
        try (SmtpTalk c = new SmtpTalk(port)) {
            c.reply();
            c.command("EHLO client.example.com");
            c.command("MAIL FROM:<s@example.com>");
            String r = c.command("RCPT TO:<" + rcpt + ">");
            if (r != null && r.startsWith("250")) {
                r = c.command("DATA");
            }
            if (r == null || !r.startsWith("354")) {
                return r == null ? "no reply" : r;
            }
            sendingBody.incrementAndGet();
            inBody = true;
            c.send("From: s@example.com\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject + "@example.com>\r\n\r\n");
            for (int part = 0; part < 5; part++) {
                c.send(body);
                Thread.sleep(30); // a client on a slow link: the message is in the middle of DATA for a while
            }
            sendingBody.decrementAndGet();
            inBody = false;
            r = c.command(".");
            return r == null ? "no reply" : r;
        } catch (IOException e) {
            return "no reply: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (inBody) {
                sendingBody.decrementAndGet();
            }
        }
    }
}
