package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Inbox (checks off) in front of a real Dovecot, driven by swaks and a byte-exact client, read back over IMAP. */
class InboxDeliveryIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path dir;

    static RedisConnections redis;
    static AccountStore store;
    static InboxServer inbox;
    static int imap;

    @BeforeAll
    static void start() {
        redis = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        TestCertificates.PemFiles tls = TestCertificates.selfSigned(dir, "mx.example.test");
        SmtpServerSettings smtp = SmtpServerSettings.builder().hostName("mx.example.test").softwareName("Mail Room")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).tls(tls.certificate(), tls.key()).build();
        InboxSettings settings = InboxSettings.plain(smtp, "127.0.0.1", mail.dovecot().lmtpPort());
        InboxPipeline pipeline = new InboxPipeline(settings, store, new DeliveryLedger(redis.dataSource(), Duration.ofDays(5)),
                null, null);
        inbox = new InboxServer(pipeline).start();
        imap = mail.dovecot().imapPort();
    }

    @AfterAll
    static void stop() {
        inbox.close();
        redis.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        mail.redis().flushAll();
        TestMail.deleteMailboxes(mail.dovecot().mailRoot());
        store.createDomain("example.test");
        store.createUser("alice@example.test", "alice-password");
        store.createUser("bob@example.test", "bob-password");
        store.createAlias("sales@example.test", "alice@example.test");
    }

    private static List<String> inboxOf(String user, String password) {
        List<String> out = new ArrayList<>();
        for (byte[] m : ImapMailbox.inbox(imap, user, password)) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void swaksMessageArrivesInTheMailboxWithTraceHeaders() {
        Swaks.Result r = Swaks.send(inbox.port(), "sender@example.com", "alice@example.test",
                "--header", "Subject: hello alice", "--body", "first line\n.leading dot line\n");
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(r.transcript()).contains("250 2.0.0 Ok: queued as");
        List<String> msgs = inboxOf("alice@example.test", "alice-password");
        assertThat(msgs).hasSize(1);
        String m = msgs.get(0);
        assertThat(m).contains("Subject: hello alice", "\r\n.leading dot line\r\n");
        assertThat(m).contains("Return-Path: <sender@example.com>");
        assertThat(m).contains("Delivered-To: alice@example.test");
        assertThat(m).containsPattern("Received: from client.example.com \\(unknown \\[127.0.0.1\\]\\)\\s+by mx.example.test \\(Mail Room\\) with ESMTP id \\w+\\s+for <alice@example.test>");
    }

    @Test
    void postmasterIsAcceptedWithAndWithoutADomain() {
        assertThat(Swaks.send(inbox.port(), "s@example.com", "Postmaster", "--header", "Subject: bare pm").accepted()).isTrue();
        assertThat(Swaks.send(inbox.port(), "s@example.com", "POSTMASTER@example.test", "--header", "Subject: pm").accepted()).isTrue();
        List<String> msgs = inboxOf("alice@example.test", "alice-password");
        assertThat(msgs).anySatisfy(m -> assertThat(m).contains("Subject: bare pm"))
                .anySatisfy(m -> assertThat(m).contains("Subject: pm"));
    }

    @Test
    void aliasAndSubAddressLandInTheUsersMailbox() {
        assertThat(Swaks.send(inbox.port(), "s@example.com", "sales@example.test", "--header", "Subject: via alias").accepted()).isTrue();
        assertThat(Swaks.send(inbox.port(), "s@example.com", "alice+news@example.test", "--header", "Subject: via tag").accepted()).isTrue();
        List<String> msgs = inboxOf("alice@example.test", "alice-password");
        assertThat(msgs).hasSize(2);
        assertThat(msgs.get(0)).contains("Subject: via alias", "for <sales@example.test>");
        assertThat(msgs.get(1)).contains("Subject: via tag", "for <alice+news@example.test>");
        assertThat(inboxOf("bob@example.test", "bob-password")).isEmpty();
    }

    @Test
    void openRelayAndUnknownUsersAreRefused() {
        Swaks.Result relay = Swaks.send(inbox.port(), "s@example.com", "victim@elsewhere.example");
        assertThat(relay.accepted()).isFalse();
        assertThat(relay.transcript()).contains("550 5.7.1 Relaying denied");
        Swaks.Result unknown = Swaks.send(inbox.port(), "s@example.com", "nobody@example.test");
        assertThat(unknown.accepted()).isFalse();
        assertThat(unknown.transcript()).contains("550 5.1.1");
        assertThat(inboxOf("alice@example.test", "alice-password")).isEmpty();
    }

    @Test
    void severalRecipientsGetOneCopyEach() {
        Swaks.Result r = Swaks.send(inbox.port(), "s@example.com", "alice@example.test,bob@example.test,nobody@example.test",
                "--header", "Subject: to both");
        assertThat(r.transcript()).contains("550 5.1.1", "250 2.0.0 Ok");
        assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString().contains("Subject: to both")
                .doesNotContain("for <");
        assertThat(inboxOf("bob@example.test", "bob-password")).singleElement().asString().contains("Subject: to both");
    }

    @Test
    void recipientsResolvingToOneMailboxGetOneCopy() throws Exception {
        // with a certificate each recipient is its own LMTP transaction, where Dovecot cannot merge them
        TestCertificates.PemFiles cert = TestCertificates.selfSigned(dir.resolve("alice-once"), "alice@example.test");
        store.setCertificate("alice@example.test", java.nio.file.Files.readString(cert.certificate()));
        Swaks.Result r = Swaks.send(inbox.port(), "s@example.com", "alice@example.test,sales@example.test,ALICE@example.test",
                "--header", "Subject: once");
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString().contains("Subject: once");
    }

    static final List<String> SMUGGLING = List.of("\n.\n", "\n.\r\n", "\r.\r", "\r\n.\r", "\r\n.\n", "\r.\r\n");

    @Test
    void smugglingVariantsDeliverNothing() throws Exception {
        for (boolean pipelined : new boolean[] {false, true}) {
            for (String variant : SMUGGLING) {
                try (Socket s = new Socket("127.0.0.1", inbox.port())) {
                    s.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream out = s.getOutputStream();
                    assertThat(in.readLine()).startsWith("220");
                    out.write("EHLO attacker.example.com\r\n".getBytes(StandardCharsets.US_ASCII));
                    String l;
                    do {
                        l = in.readLine();
                    } while (l.startsWith("250-"));
                    String payload = "Subject: first\r\n\r\nfirst" + variant
                            + "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                            + "From: ceo@example.test\r\nSubject: smuggled\r\n\r\npay now\r\n.\r\n";
                    String envelope = "MAIL FROM:<a@example.com>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n";
                    if (pipelined) {
                        out.write((envelope + payload).getBytes(StandardCharsets.UTF_8));
                        assertThat(in.readLine()).startsWith("250");
                        assertThat(in.readLine()).startsWith("250");
                        assertThat(in.readLine()).startsWith("354");
                    } else {
                        for (String cmd : envelope.split("\r\n")) {
                            out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            assertThat(in.readLine()).matches("(250|354).*");
                        }
                        out.write(payload.getBytes(StandardCharsets.UTF_8));
                    }
                    assertThat(in.readLine()).startsWith("550 5.6.0");
                    out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).startsWith("221");
                }
            }
        }
        assertThat(inboxOf("alice@example.test", "alice-password")).isEmpty();
        assertThat(inboxOf("bob@example.test", "bob-password")).isEmpty();
    }

    @Test
    void dovecotDownMeansTempfailAndNothingAcceptedIsLost() {
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Swaks.Result r = Swaks.send(inbox.port(), "s@example.com", "bob@example.test", "--header", "Subject: before " + i);
            assertThat(r.accepted()).isTrue();
            accepted.add("Subject: before " + i);
        }
        mail.dovecot().kill();
        try {
            for (int i = 0; i < 3; i++) {
                Swaks.Result r = Swaks.send(inbox.port(), "s@example.com", "bob@example.test", "--header", "Subject: during " + i);
                assertThat(r.accepted()).isFalse();
                assertThat(r.transcript()).contains("451 4.3.0");
            }
        } finally {
            TestMail.restart(mail.dovecot());
        }
        Swaks.Result after = Swaks.send(inbox.port(), "s@example.com", "bob@example.test", "--header", "Subject: after");
        assertThat(after.accepted()).as(after.transcript()).isTrue();
        accepted.add("Subject: after");
        List<String> msgs = inboxOf("bob@example.test", "bob-password");
        assertThat(msgs).hasSize(accepted.size());
        for (String subject : accepted) {
            assertThat(msgs).anySatisfy(m -> assertThat(m).contains(subject));
        }
        assertThat(msgs).noneSatisfy(m -> assertThat(m).contains("Subject: during"));
    }

    @Test
    void successNoticeGoesToALocalSenderWhoAskedForIt() throws Exception {
        try (SmtpTalk c = new SmtpTalk(inbox.port())) {
            assertThat(c.reply()).startsWith("220");
            assertThat(c.command("EHLO client.example.com")).startsWith("250");
            assertThat(c.command("MAIL FROM:<bob@example.test> RET=HDRS ENVID=env+2D1")).startsWith("250");
            assertThat(c.command("RCPT TO:<alice@example.test> NOTIFY=SUCCESS ORCPT=rfc822;alice@example.test"))
                    .startsWith("250");
            assertThat(c.command("DATA")).startsWith("354");
            assertThat(c.command("From: bob@example.test\r\nSubject: please confirm\r\n\r\nhi\r\n.")).startsWith("250 2.0.0");
            c.command("QUIT");
        }
        assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString().contains("Subject: please confirm");
        String dsn = inboxOf("bob@example.test", "bob-password").get(0);
        assertThat(dsn).contains("Return-Path: <>", "multipart/report", "report-type=delivery-status",
                "Action: delivered", "Final-Recipient: rfc822; alice@example.test", "Original-Envelope-Id: env-1");
    }

    @Test
    void recipientWithCertificateGetsTheMessageEncryptedOthersInPlaintext() throws Exception {
        TestCertificates.PemFiles bobCert = TestCertificates.selfSigned(dir.resolve("bob"), "bob@example.test");
        store.setCertificate("bob@example.test", java.nio.file.Files.readString(bobCert.certificate()));
        Swaks.Result r = Swaks.send(inbox.port(), "s@example.com", "alice@example.test,bob@example.test",
                "--header", "Subject: secret plans", "--body", "the secret body text");
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString()
                .contains("the secret body text");
        String sealed = inboxOf("bob@example.test", "bob-password").get(0);
        assertThat(sealed).contains("Subject: secret plans", "application/pkcs7-mime; smime-type=enveloped-data")
                .doesNotContain("the secret body text");
        String b64 = sealed.substring(sealed.indexOf("\r\n\r\n") + 4).replaceAll("\\s", "");
        org.bouncycastle.cms.CMSEnvelopedData ed = new org.bouncycastle.cms.CMSEnvelopedData(java.util.Base64.getDecoder().decode(b64));
        org.bouncycastle.cms.RecipientInformation ri = ed.getRecipientInfos().getRecipients().iterator().next();
        assertThat(ed.getEncryptionAlgOID()).isEqualTo(org.bouncycastle.cms.CMSAlgorithm.AES256_CBC.getId());
        byte[] plain = ri.getContent(new org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient(bobCert.keyPair().getPrivate()));
        assertThat(new String(plain, StandardCharsets.UTF_8)).contains("Content-Type: text/plain", "the secret body text");
    }

    @Test
    void partialDeliveryIsRetriedWithoutDuplicatesAndSucceedsOnceTheQuotaIsLifted() throws Exception {
        store.setQuota("bob@example.test", "1k"); // Dovecot refuses bob's copy at DATA (over quota)
        String message = "From: s@example.com\r\nSubject: big one\r\n\r\n" + ("0123456789abcdef".repeat(4) + "\r\n").repeat(100) + ".";
        for (int attempt = 0; attempt < 3; attempt++) {
            if (attempt == 2) {
                // the quota was raised: the sender's next retry gets through (removing it, setQuota(null), does
                // not lift the limit: Dovecot keeps refusing, seemingly from the limit kept in maildirsize)
                store.setQuota("bob@example.test", "10M");
            }
            try (SmtpTalk c = new SmtpTalk(inbox.port())) {
                c.reply();
                c.command("EHLO client.example.com");
                c.command("MAIL FROM:<s@example.com>");
                assertThat(c.command("RCPT TO:<alice@example.test>")).startsWith("250");
                assertThat(c.command("RCPT TO:<bob@example.test>")).startsWith("250");
                assertThat(c.command("DATA")).startsWith("354");
                String reply = c.command(message);
                if (attempt < 2) {
                    // one reply for both: a 4xx so that bob's copy is not lost
                    assertThat(reply).startsWith("451 4.3.0 Delivered to some recipients only");
                    // the retry did not give alice a second copy, and bob has none yet
                    assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString()
                            .contains("Subject: big one");
                    assertThat(inboxOf("bob@example.test", "bob-password")).isEmpty();
                } else {
                    assertThat(reply).startsWith("250");
                }
            }
        }
        // after the 250: one copy each (the inbox answers only after Dovecot took every copy)
        assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString().contains("Subject: big one");
        assertThat(inboxOf("bob@example.test", "bob-password")).singleElement().asString().contains("Subject: big one");
    }

    @Test
    void forgedReceivedFieldsClaimingOurHostAreRemovedAndLoopsRefused() throws Exception {
        String forged = "Received: from internal (internal [10.0.0.1]) by mx.example.test (Mail Room) with ESMTP id FORGED;"
                + " Wed, 25 Nov 2026 10:00:00 +0000\r\n"
                + "Received: from a.example.net by relay.example.net with ESMTP id REAL; Wed, 25 Nov 2026 09:59:00 +0000\r\n"
                + "From: s@example.com\r\nSubject: trace\r\n\r\nbody\r\n.";
        String loop = "Received: from x by hop.example.net; Wed, 25 Nov 2026 09:59:00 +0000\r\n".repeat(InboxTransaction.MAX_HOPS)
                + "Subject: loop\r\n\r\nbody\r\n.";
        try (SmtpTalk c = new SmtpTalk(inbox.port())) {
            c.reply();
            c.command("EHLO client.example.com");
            for (String msg : List.of(forged, loop)) {
                c.command("MAIL FROM:<s@example.com>");
                c.command("RCPT TO:<alice@example.test>");
                c.command("DATA");
                String reply = c.command(msg);
                assertThat(reply).startsWith(msg == forged ? "250" : "554 5.4.6");
            }
        }
        String m = inboxOf("alice@example.test", "alice-password").get(0);
        assertThat(m).doesNotContain("FORGED").contains("id REAL", "Subject: trace");
        assertThat(inboxOf("alice@example.test", "alice-password")).hasSize(1);
    }

    @Test
    void aMessageWithTooManyHeaderFieldsIsRefusedAndOneAtTheLimitDelivered() throws Exception {
        String atLimit = "X-Filler: x\r\n".repeat(InboxTransaction.MAX_HEADER_FIELDS - 1) + "Subject: many\r\n\r\nbody\r\n.";
        String over = "X-Filler: x\r\n".repeat(InboxTransaction.MAX_HEADER_FIELDS) + "Subject: too many\r\n\r\nbody\r\n.";
        try (SmtpTalk c = new SmtpTalk(inbox.port())) {
            c.reply();
            c.command("EHLO client.example.com");
            for (String msg : List.of(over, atLimit)) {
                c.command("MAIL FROM:<s@example.com>");
                c.command("RCPT TO:<alice@example.test>");
                c.command("DATA");
                assertThat(c.command(msg)).startsWith(msg == over ? "552 5.3.4 Too many header fields" : "250");
            }
        }
        assertThat(inboxOf("alice@example.test", "alice-password")).singleElement().asString().contains("Subject: many");
    }
}
