package io.mailroom.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.outbox.peers.GreylistingServer;
import io.mailroom.outbox.peers.RawSubmission;
import io.mailroom.outbox.peers.SmtpSink;
import io.mailroom.outbox.peers.Swaks;
import io.mailroom.outbox.queue.QueueFilter;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Outbox end to end with real peers: swaks and Jakarta Mail submit, Postfix's smtp-sink and a
 * greylisting receiver play remote MX hosts on loopback addresses, Dovecot (LMTP + IMAP) holds
 * the local mailboxes.
 */
class OutboxIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    static final String PW = "correct horse battery";
    static RedisConnections redis;
    static AccountStore store;
    static Outbox outbox;
    static SmtpSink sink;
    static SmtpSink rejecting;
    static SmtpSink sevenBit;
    static GreylistingServer grey;
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("outbox-it-");
        redis = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        store.createDomain("example.test");
        store.createUser("alice@example.test", PW);
        store.createUser("bob@example.test", PW);
        store.createUser("dave@example.test", PW);
        store.setDisabled("dave@example.test", true);
        store.createAlias("sales@example.test", "alice@example.test");
        var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.example.test");
        sink = new SmtpSink("127.0.0.2", FreePorts.next(), "mx.example.net");
        rejecting = new SmtpSink("127.0.0.4", FreePorts.next(), "mx.example.com", "-f", "RCPT");
        grey = new GreylistingServer("127.0.0.3", FreePorts.next());
        sevenBit = new SmtpSink("127.0.0.10", FreePorts.next(), "mx.seven.test", "-8");
        Map<String, String> p = new HashMap<>();
        p.put("mailroom.hostname", "mail.example.test");
        p.put("mailroom.submission.port", String.valueOf(FreePorts.next()));
        p.put("mailroom.submissions.port", String.valueOf(FreePorts.next()));
        p.put("mailroom.tls.cert", cert.certificate().toString());
        p.put("mailroom.tls.key", cert.key().toString());
        p.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
        p.put("mailroom.lmtp.port", String.valueOf(mail.dovecot().lmtpPort()));
        p.put("mailroom.outbox.routes", "example.net=127.0.0.2:" + sink.port + ",example.org=127.0.0.3:"
                + grey.port() + ",example.com=127.0.0.4:" + rejecting.port + ",seven.test=127.0.0.10:" + sevenBit.port);
        p.put("mailroom.outbox.retry-schedule", "1s");
        p.put("mailroom.outbox.delay-warning", "3s");
        p.put("mailroom.outbox.max-queue-time", "6s");
        p.put("mailroom.outbox.max-recipients", "20");
        p.put("mailroom.outbox.max-message-size", "200000");
        outbox = new Outbox(OutboxTestConfig.settings(p), store, new KeyDirectory(tmp.resolve("keys")), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (outbox != null) {
            outbox.close();
        }
        sink.close();
        rejecting.close();
        sevenBit.close();
        grey.close();
        redis.close();
    }

    static String sub() {
        return "127.0.0.1:" + outbox.submissionPort();
    }

    static String tagged(String token) throws InterruptedException {
        return token;
    }

    static String sinkMessage(String token) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(end)) {
            for (String m : sink.messages()) {
                if (m.contains(token)) {
                    return m;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no message with " + token + " at the sink");
    }

    static byte[] mailboxMessage(String user, String token) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(end)) {
            for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), user, PW)) {
                if (new String(m, StandardCharsets.UTF_8).contains(token)) {
                    return m;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no message with " + token + " in the mailbox of " + user);
    }

    @Test
    void swaksWithStartTlsAndAuthDeliversToRemoteMxAndBccLeavesNoTrace() throws Exception {
        var r = Swaks.run("--server", sub(), "--tls", "--auth", "PLAIN", "--auth-user", "alice@example.test",
                "--auth-password", PW, "--from", "alice@example.test",
                "--to", "bob@example.net,carol@example.net,hidden@example.net",
                "--header", "Subject: swaks-1", "--header", "To: bob@example.net", "--header", "Cc: carol@example.net",
                "--header", "Bcc: hidden@example.net", "--header", "From: Alice <alice@example.test>");
        assertThat(r.exit()).as(r.transcript()).isZero();
        assertThat(r.transcript()).contains("250 2.0.0 Ok: queued as");
        String m = sinkMessage("swaks-1");
        assertThat(m).contains("X-Rcpt-Args: <bob@example.net>", "X-Rcpt-Args: <carol@example.net>",
                "X-Rcpt-Args: <hidden@example.net>", "X-Mail-Args: <alice@example.test>");
        String message = m.substring(m.indexOf("Received:"));
        assertThat(message).doesNotContainIgnoringCase("bcc").doesNotContain("hidden@");
        assertThat(message).contains("by mail.example.test (Mail Room) with ESMTPSA", "Cc: carol@example.net");
    }

    @Test
    void jakartaMailOverImplicitTlsAddsMessageIdAndDateAndAGreylistedCcGetsItOnRetry() throws Exception {
        Properties props = new Properties();
        props.put("mail.smtps.host", "127.0.0.1");
        props.put("mail.smtps.port", String.valueOf(outbox.submissionsPort()));
        props.put("mail.smtps.auth", "true");
        props.put("mail.smtps.ssl.trust", "*");
        Session session = Session.getInstance(props);
        MimeMessage msg = new MimeMessage(session) {
            @Override
            protected void updateMessageID() {
                // leave Message-ID out: the Outbox must add it
            }
        };
        msg.setFrom(new InternetAddress("alice@example.test"));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.net"));
        msg.setRecipient(Message.RecipientType.CC, new InternetAddress("grey@example.org"));
        msg.setRecipient(Message.RecipientType.BCC, new InternetAddress("secret@example.net"));
        msg.setSubject("jakarta-1");
        msg.setText("héllo wörld", "UTF-8");
        msg.saveChanges();
        msg.removeHeader("Date");
        try (Transport t = session.getTransport("smtps")) {
            t.connect("alice@example.test", PW);
            t.sendMessage(msg, msg.getAllRecipients());
        }
        String m = sinkMessage("jakarta-1");
        assertThat(m).contains("X-Rcpt-Args: <bob@example.net>", "X-Rcpt-Args: <secret@example.net>");
        String message = m.substring(m.indexOf("Received:"));
        assertThat(message).contains("Message-ID: <", "Date: ").doesNotContain("secret@").doesNotContainIgnoringCase("bcc:");
        // exactly once: counted when nothing is left queued for example.org, so a second copy would be in
        Await.until("nothing queued for example.org", Duration.ofSeconds(30), () -> outbox.queue()
                .list(new QueueFilter(List.of(), null, "example.org", null, null, null)).isEmpty());
        var got = grey.received.stream().filter(x -> x.data().contains("jakarta-1")).toList();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).rcpts()).containsExactly("<grey@example.org>");
        assertThat(grey.greylisted).isGreaterThanOrEqualTo(1);
        // the remote sink saw the message exactly once even though the Cc was retried
        assertThat(sink.messages().stream().filter(x -> x.contains("jakarta-1"))).hasSize(1);
    }

    @Test
    void authWithoutTlsIsRefused() throws Exception {
        var r = Swaks.run("--server", sub(), "--auth", "PLAIN", "--auth-user", "alice@example.test",
                "--auth-password", PW, "--from", "alice@example.test", "--to", "bob@example.net");
        assertThat(r.exit()).isNotZero();
        try (RawSubmission s = new RawSubmission(outbox.submissionPort(), false)) {
            String ehlo = s.cmd("EHLO client.test");
            assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
            assertThat(s.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABjb3JyZWN0IGhvcnNlIGJhdHRlcnk=")).startsWith("530 5.7.0");
            assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("530 5.7.0");
        }
    }

    @Test
    void wrongPasswordAndDisabledUserAreRefused() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", "wrong password")).startsWith("535 5.7.8");
            assertThat(s.cmd("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                    "\0dave@example.test\0correct horse battery".getBytes()))).startsWith("535 5.7.8");
            assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("530 5.7.0");
        }
    }

    @Test
    void sendingAsSomeoneElseIsRefusedButAnAliasOfTheUserIsAllowed() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<bob@example.test>")).startsWith("550 5.7.1");
            assertThat(s.cmd("MAIL FROM:<ceo@example.net>")).startsWith("550 5.7.1");
            assertThat(s.cmd("MAIL FROM:<>")).startsWith("550 5.7.1");
            assertThat(s.cmd("MAIL FROM:<sales@example.test>")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<bob@example.net>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: Bob <bob@example.test>\r\nSubject: forged\r\n\r\nhi\r\n.")).startsWith("550 5.7.1");
            assertThat(s.cmd("MAIL FROM:<sales@example.test>")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<bob@example.net>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: Sales <sales@example.test>\r\nSubject: alias-ok\r\n\r\nhi\r\n.")).startsWith("250 2.0.0");
        }
        assertThat(sinkMessage("alias-ok")).contains("X-Mail-Args: <sales@example.test>");
    }

    @Test
    void aSenderFieldOfSomeoneElseOrAFromWithASecondHiddenAddressIsRefused() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            for (String header : List.of("From: alice@example.test\r\nSender: Bob <bob@example.test>",
                    "From: <alice@example.test> bob@example.test", "From: Alice <alice@example.test>>ceo@example.net",
                    "From: alice@example.test\r\nResent-From: ceo@example.net")) {
                assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("250");
                assertThat(s.cmd("RCPT TO:<bob@example.net>")).startsWith("250");
                assertThat(s.cmd("DATA")).startsWith("354");
                assertThat(s.cmd(header + "\r\nSubject: hidden-author\r\n\r\nhi\r\n.")).as(header).startsWith("550 5.7.1");
            }
            assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<bob@example.net>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: Team: alice@example.test;\r\nSender: Sales <sales@example.test>\r\nSubject: sender-ok\r\n\r\nhi\r\n."))
                    .startsWith("250 2.0.0");
        }
        assertThat(sinkMessage("sender-ok")).contains("Sender: Sales <sales@example.test>");
    }

    @Test
    void permanentFailureProducesADsnInTheSendersOwnMailbox() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<alice@example.test> RET=HDRS ENVID=env+2Bbounce")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<nobody@example.com> NOTIFY=FAILURE ORCPT=rfc822;Nobody@example.com")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: alice@example.test\r\nTo: nobody@example.com\r\nSubject: bounce-me\r\n\r\nsecret body\r\n."))
                    .startsWith("250 2.0.0");
        }
        String dsn = new String(mailboxMessage("alice@example.test", "bounce-me"), StandardCharsets.UTF_8);
        assertThat(dsn).contains("multipart/report", "report-type=delivery-status", "Original-Envelope-Id: env+bounce",
                "Original-Recipient: rfc822;Nobody@example.com", "Final-Recipient: rfc822; nobody@example.com",
                "Action: failed", "Status: 5.", "Remote-MTA: dns; 127.0.0.4", "Diagnostic-Code: smtp; 5",
                "text/rfc822-headers", "Subject: bounce-me");
        assertThat(dsn).doesNotContain("secret body");
    }

    @Test
    void localRecipientsAreDeliveredOverLmtpAndDsnParametersReachTheRemotePeer() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<alice@example.test> RET=FULL ENVID=e42")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<x@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;X@example.net")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: alice@example.test\r\nTo: bob@example.test, x@example.net\r\nSubject: local-1\r\n\r\nhi\r\n."))
                    .startsWith("250 2.0.0");
        }
        byte[] got = mailboxMessage("bob@example.test", "local-1");
        assertThat(new String(got, StandardCharsets.UTF_8)).contains("by mail.example.test (Mail Room)");
        String remote = sinkMessage("local-1");
        assertThat(remote).contains("X-Mail-Args: <alice@example.test> RET=FULL ENVID=e42",
                "X-Rcpt-Args: <x@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;X@example.net");
        assertThat(remote).doesNotContain("bob@example.test>\n");
        // NOTIFY=SUCCESS: a success DSN for x@example.net arrives in alice's mailbox
        String dsn = new String(mailboxMessage("alice@example.test", "Final-Recipient: rfc822; x@example.net"), StandardCharsets.UTF_8);
        assertThat(dsn).contains("Action: delivered");
    }

    @Test
    void smugglingLimitsAndBadInputGetSmtpReplies() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<bob@example.net>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            // a bare LF before "." must not end the message nor start a second one
            s.send("From: alice@example.test\r\nSubject: smuggle-1\r\n\r\nhi\n.\r\nMAIL FROM:<alice@example.test>\r\n");
            assertThat(s.cmd(".")).startsWith("554 5.6.0");
            assertThat(s.cmd("MAIL FROM:<alice@example.test> SIZE=999999999")).startsWith("552 5.3.4");
            assertThat(s.cmd("MAIL FROM:<alice@example.test> FOO=bar")).startsWith("555 5.5.4");
            assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("250");
            for (int i = 0; i < 20; i++) {
                assertThat(s.cmd("RCPT TO:<r" + i + "@example.net>")).startsWith("250");
            }
            assertThat(s.cmd("RCPT TO:<r21@example.net>")).startsWith("452 4.5.3");
            assertThat(s.cmd("RCPT TO:<not an address>")).startsWith("501");
            assertThat(s.cmd("RSET")).startsWith("250");
            assertThat(s.cmd("X".repeat(5000))).startsWith("500 5.5.6");
            assertThat(s.cmd("FOO")).startsWith("500 5.5.2");
        }
        // had anything been spooled for example.net it would be delivered once this queue is drained
        Await.until("nothing queued for example.net", Duration.ofSeconds(20), () -> outbox.queue()
                .list(new QueueFilter(List.of(), null, "example.net", null, null, null)).isEmpty());
        assertThat(sink.messages()).noneMatch(m -> m.contains("smuggle-1"));
    }

    @Test
    void eightBitMessageToAPeerWithoutSmtputf8NeedsItAndBounces() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<alice@example.test> SMTPUTF8")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<jörg@example.net>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: alice@example.test\r\nTo: jörg@example.net\r\nSubject: utf8-1\r\n\r\nhi\r\n."))
                    .startsWith("250");
        }
        String dsn = new String(mailboxMessage("alice@example.test", "utf8-1"), StandardCharsets.UTF_8);
        assertThat(dsn).contains("Status: 5.6.7", "SMTPUTF8");
    }

    @Test
    void aRecipientThatStaysTemporarilyFailedGetsADelayNoticeThenAnExpiryBounce() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<busy@example.org>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: alice@example.test\r\nSubject: busy-1\r\n\r\nhi\r\n.")).startsWith("250");
        }
        String delay = new String(mailboxMessage("alice@example.test", "Action: delayed"), StandardCharsets.UTF_8);
        assertThat(delay).contains("Delayed Mail", "Final-Recipient: rfc822; busy@example.org", "Will-Retry-Until:",
                "452 4.2.2 Mailbox full", "Subject: busy-1");
        String expired = new String(mailboxMessage("alice@example.test", "Status: 4.4.7"), StandardCharsets.UTF_8);
        assertThat(expired).contains("Action: failed", "busy@example.org", "Subject: busy-1");
    }

    @Test
    void eightBitContentToAPeerWithout8bitmimeBouncesInsteadOfBreakingTheSignature() throws Exception {
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            assertThat(s.cmd("MAIL FROM:<alice@example.test> BODY=8BITMIME")).startsWith("250");
            assertThat(s.cmd("RCPT TO:<old@seven.test>")).startsWith("250");
            assertThat(s.cmd("DATA")).startsWith("354");
            assertThat(s.cmd("From: alice@example.test\r\nSubject: eight-1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n.")).startsWith("250");
        }
        String dsn = new String(mailboxMessage("alice@example.test", "Subject: eight-1"), StandardCharsets.UTF_8);
        assertThat(dsn).contains("Status: 5.6.3", "8BITMIME", "old@seven.test");
        assertThat(sevenBit.messages()).isEmpty();
    }

    @Test
    void consecutiveMessagesToOneDestinationReuseTheConnection() throws Exception {
        int before = grey.sessions.get();
        try (RawSubmission s = new RawSubmission(outbox.submissionsPort(), true)) {
            assertThat(s.login("alice@example.test", PW)).startsWith("235");
            for (int i = 0; i < 3; i++) {
                assertThat(s.cmd("MAIL FROM:<alice@example.test>")).startsWith("250");
                assertThat(s.cmd("RCPT TO:<pass" + i + "@example.org>")).startsWith("250");
                assertThat(s.cmd("DATA")).startsWith("354");
                assertThat(s.cmd("From: alice@example.test\r\nSubject: reuse-" + i + "\r\n\r\nhi\r\n.")).startsWith("250");
                int n = i;
                Await.until("reuse-" + n + " delivered", Duration.ofSeconds(10),
                        () -> grey.received.stream().anyMatch(x -> x.data().contains("reuse-" + n)));
            }
        }
        int sessions = grey.sessions.get() - before; // before other queued mail to example.org is retried
        Await.until("nothing queued for example.org", Duration.ofSeconds(30), () -> outbox.queue()
                .list(new QueueFilter(List.of(), null, "example.org", null, null, null)).isEmpty());
        assertThat(grey.received.stream().filter(x -> x.data().contains("Subject: reuse-"))).hasSize(3);
        // one new connection at most (none if an idle one from an earlier test is still pooled), not three
        assertThat(sessions).as("SMTP connections for three messages").isLessThanOrEqualTo(1);
    }
}
