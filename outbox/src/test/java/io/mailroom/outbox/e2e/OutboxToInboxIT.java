package io.mailroom.outbox.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.dkim.DkimKeys;
import io.mailroom.common.dkim.DomainKeys;
import io.mailroom.common.dns.DnsRecord;
import io.mailroom.common.dns.DnsRecords;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.inbox.CheckPolicy;
import io.mailroom.inbox.InboxPipeline;
import io.mailroom.inbox.InboxServer;
import io.mailroom.inbox.InboxSettings;
import io.mailroom.inbox.MailAuthentication;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.mailroom.outbox.Outbox;
import io.mailroom.outbox.OutboxSettings;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.DnsZone;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.RspamdExtension;
import io.mailroom.testkit.TestCertificates;
import io.mailroom.testkit.UnboundExtension;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two installations in one JVM: A's Outbox delivers to B's Inbox, found as the MX of
 * {@code b.example.test} through a real Unbound that also serves A's SPF, DKIM (built from A's
 * keys by {@link DnsRecords}) and DMARC records. B checks SPF, DKIM, ARC, DMARC and Rspamd on enforce and
 * delivers into its Dovecot; a refusal by B comes back as a DSN in the sender's Dovecot at A.
 */
class OutboxToInboxIT {
    static final String PW = "correct horse battery";
    static final String MX_B = "mx.b.example.test";
    /** B's Inbox listens here; nothing else in the test suite uses this loopback address. */
    static final String MX_B_ADDRESS = "127.0.0.61";

    /** Installation A: the sender's Redis and Dovecot (where DSNs land). */
    @RegisterExtension
    static DovecotExtension mailA = new DovecotExtension();
    /** Installation B: the receiver's Redis and Dovecot. */
    @RegisterExtension
    static DovecotExtension mailB = new DovecotExtension();
    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension();
    /** B's content filter, on B's Redis, resolving through the same Unbound. */
    @RegisterExtension
    static RspamdExtension rspamd = new RspamdExtension(mailB.redis(), dns.server());

    static Path tmp;
    static RedisConnections redisA;
    static RedisConnections redisB;
    static Outbox outbox;
    static InboxServer inbox;

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("outbox-e2e-");

        // A: a.example.test signs with correct keys; d.example.test signs, but DNS publishes other keys;
        // c.example.test does not sign and its SPF only soft-fails; s.example.test's SPF excludes
        // every sender; e.example.test publishes its RSA key right and its Ed25519 key wrong.
        // alice owns an address in each.
        redisA = RedisConnections.open(mailA.redis().uri());
        AccountStore storeA = new AccountStore(redisA.dataSource(), new StoreSettings(mailA.dovecot().mailRoot(), '+', 4));
        KeyDirectory keys = new KeyDirectory(tmp.resolve("keys"));
        DomainKeys domainKeys = new DomainKeys(storeA, keys, "mr", Clock.systemUTC());
        DomainRecord a = domainKeys.createDomain("a.example.test", "reject");
        DomainRecord d = domainKeys.createDomain("d.example.test", "reject");
        DomainRecord c = storeA.updateDomain(storeA.createDomain("c.example.test").withDmarcPolicy("reject"));
        storeA.createUser("alice@a.example.test", PW);
        storeA.createAlias("alice@d.example.test", "alice@a.example.test");
        storeA.createAlias("alice@c.example.test", "alice@a.example.test");
        DomainRecord s = domainKeys.createDomain("s.example.test", "reject");
        storeA.createAlias("alice@s.example.test", "alice@a.example.test");
        DomainRecord e = domainKeys.createDomain("e.example.test", "reject");
        storeA.createAlias("alice@e.example.test", "alice@a.example.test");
        DomainRecord eHalfWrong = e.withDkim(e.dkim().stream()
                .map(k -> k.algorithm().equals(DkimKeyInfo.RSA_SHA256) ? k : DkimKeys.ed25519(k.selector()).info()).toList());
        assertThat(a.signingKeys()).extracting(DkimKeyInfo::algorithm)
                .containsExactlyInAnyOrder(DkimKeyInfo.RSA_SHA256, DkimKeyInfo.ED25519_SHA256);
        DomainRecord dWrong = d.withDkim(d.dkim().stream()
                .map(k -> (k.algorithm().equals(DkimKeyInfo.RSA_SHA256) ? DkimKeys.rsa(k.selector()) : DkimKeys.ed25519(k.selector())).info())
                .toList());

        // B: bob, carol and dan receive
        redisB = RedisConnections.open(mailB.redis().uri());
        AccountStore storeB = new AccountStore(redisB.dataSource(), new StoreSettings(mailB.dovecot().mailRoot(), '+', 4));
        storeB.createDomain("b.example.test");
        for (String u : List.of("bob", "carol", "dan")) {
            storeB.createUser(u + "@b.example.test", PW);
        }

        // one Unbound for both: A's records as the Controller would publish them, SPF for the loopback source
        dns.zone("a.example.test", z -> publish(z, a, "v=spf1 ip4:127.0.0.0/8 -all"));
        dns.zone("d.example.test", z -> publish(z, dWrong, "v=spf1 ip4:127.0.0.0/8 -all"));
        dns.zone("c.example.test", z -> publish(z, c, "v=spf1 ~all"));
        dns.zone("s.example.test", z -> publish(z, s, "v=spf1 -all"));
        dns.zone("e.example.test", z -> publish(z, eHalfWrong, "v=spf1 ip4:127.0.0.0/8 -all"));
        dns.zone("b.example.test", z -> z.mx("b.example.test", 10, MX_B).a(MX_B, MX_B_ADDRESS));

        // B's Inbox: SPF, DKIM, ARC, DMARC and Rspamd enforced, STARTTLS offered
        var mxCert = TestCertificates.selfSigned(tmp.resolve("mx-tls"), MX_B);
        int mxPort = FreePorts.next();
        SmtpServerSettings smtp = SmtpServerSettings.builder().hostName(MX_B).softwareName("Mail Room")
                .bindAddress(InetAddress.getByName(MX_B_ADDRESS)).port(mxPort)
                .tls(mxCert.certificate(), mxCert.key()).build();
        DnsjavaResolver resolverB = DnsjavaResolver.builder().server(dns.host(), dns.port()).timeout(Duration.ofSeconds(2)).build();
        InboxSettings inboxSettings = InboxSettings.plain(smtp, "127.0.0.1", mailB.dovecot().lmtpPort())
                .withAuth(CheckPolicy.ENFORCE, CheckPolicy.ENFORCE, CheckPolicy.ENFORCE, CheckPolicy.ENFORCE)
                .withRspamd(CheckPolicy.ENFORCE, "127.0.0.1", rspamd.normalPort(), InboxSettings.RspamdFailure.TEMPFAIL);
        inbox = new InboxServer(new InboxPipeline(inboxSettings, storeB,
                new DeliveryLedger(redisB.dataSource(), Duration.ofDays(1)), new MailAuthentication(resolverB, MX_B), null)).start();

        // A's Outbox: every remote MX on B's Inbox port, MX records from the same Unbound
        var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.a.example.test");
        Map<String, String> p = new HashMap<>();
        p.put("mailroom.hostname", "mail.a.example.test");
        p.put("mailroom.submission.port", String.valueOf(FreePorts.next()));
        p.put("mailroom.submissions.port", String.valueOf(FreePorts.next()));
        p.put("mailroom.tls.cert", cert.certificate().toString());
        p.put("mailroom.tls.key", cert.key().toString());
        p.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
        p.put("mailroom.lmtp.port", String.valueOf(mailA.dovecot().lmtpPort()));
        p.put("mailroom.outbox.remote-port", String.valueOf(mxPort));
        p.put("mailroom.outbox.connect-timeout", "3s");
        p.put("mailroom.outbox.retry-schedule", "1s");
        OutboxSettings settings = OutboxSettings.from(
                new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(p, "test", 500)).build());
        outbox = new Outbox(settings, storeA, keys, DnsjavaResolver.builder().server(dns.host(), dns.port()).build());
    }

    /** The domain's DKIM and DMARC records from {@link DnsRecords} (TXT split into 255-byte strings), and an SPF record. */
    private static void publish(DnsZone z, DomainRecord domain, String spf) {
        z.txt(domain.name(), spf);
        for (DnsRecord r : DnsRecords.forDomain(domain, new DnsRecords.Settings("mx." + domain.name(), null, "none", 300))) {
            if (r.type().equals("TXT") && (r.name().contains("._domainkey.") || r.name().startsWith("_dmarc."))) {
                z.txtStrings(r.name(), DnsRecord.txtStrings(r.value()).stream()
                        .map(s -> s.getBytes(StandardCharsets.US_ASCII)).toList());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (outbox != null) {
            outbox.close();
        }
        if (inbox != null) {
            inbox.close();
        }
        if (redisA != null) {
            redisA.close();
        }
        if (redisB != null) {
            redisB.close();
        }
    }

    /** Submits over 587 with STARTTLS and AUTH, as a mail client does. */
    private static void submit(String from, String subject, String to, String cc, String bcc) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(outbox.submissionPort()));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.trust", "*");
        props.put("mail.smtp.from", from);
        Session session = Session.getInstance(props);
        MimeMessage msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress(from, "Alice"));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        if (cc != null) {
            msg.setRecipient(Message.RecipientType.CC, new InternetAddress(cc));
        }
        if (bcc != null) {
            msg.setRecipient(Message.RecipientType.BCC, new InternetAddress(bcc));
        }
        msg.setSubject(subject);
        msg.setText("Hello Bob,\r\nthis crossed from one installation to the other.\r\n", "UTF-8");
        msg.saveChanges();
        try (Transport t = session.getTransport("smtp")) {
            t.connect("alice@a.example.test", PW);
            t.sendMessage(msg, msg.getAllRecipients());
        }
    }

    private static List<String> withToken(DovecotExtension mail, String user, String token) {
        List<String> out = new ArrayList<>();
        for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), user, PW)) {
            String s = new String(m, StandardCharsets.UTF_8);
            if (s.contains(token)) {
                out.add(s);
            }
        }
        return out;
    }

    private static String await(DovecotExtension mail, String user, String token) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(end)) {
            List<String> got = withToken(mail, user, token);
            if (!got.isEmpty()) {
                return got.get(0);
            }
            Thread.sleep(150);
        }
        throw new AssertionError("no message with " + token + " in the mailbox of " + user);
    }

    private static String headerBlock(String message) {
        int end = message.indexOf("\r\n\r\n");
        return message.substring(0, end < 0 ? message.length() : end + 2).replaceAll("\r\n[ \t]+", " ");
    }

    /** The Authentication-Results fields of a message, unfolded. */
    private static List<String> authResults(String message) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?mi)^Authentication-Results:(.*)$").matcher(headerBlock(message));
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    @Test
    void signedMailCrossesToTheOtherInstallationAndPassesSpfDkimAndDmarc() throws Exception {
        submit("alice@a.example.test", "e2e-pass-1", "bob@b.example.test", "carol@b.example.test", "dan@b.example.test");

        String bob = await(mailB, "bob@b.example.test", "e2e-pass-1");
        String carol = await(mailB, "carol@b.example.test", "e2e-pass-1");
        String dan = await(mailB, "dan@b.example.test", "e2e-pass-1");

        List<String> ar = authResults(bob);
        assertThat(ar).as(headerBlock(bob)).hasSize(1);
        String results = ar.get(0);
        assertThat(results).startsWith(MX_B + ";")
                .contains("spf=pass smtp.mailfrom=alice@a.example.test", "arc=none", "dmarc=pass", "header.from=a.example.test");
        // both signatures of A (RSA and Ed25519) verify at B
        assertThat(dkimVerdicts(results)).as(results).containsExactlyInAnyOrder("pass rsa-sha256", "pass ed25519-sha256");
        assertThat(headerBlock(bob)).contains("X-Spam-Status: No, action=no_action");
        assertThat(bob).contains("DKIM-Signature:", "d=a.example.test", "by " + MX_B + " (Mail Room) with ESMTPS",
                "by mail.a.example.test (Mail Room) with ESMTPSA", "Subject: e2e-pass-1");

        // Bcc leaves no trace in any copy, yet its recipient has the message; every copy arrives once
        for (String m : List.of(bob, carol, dan)) {
            assertThat(headerBlock(m)).doesNotContainIgnoringCase("bcc:");
        }
        for (String m : List.of(bob, carol)) {
            assertThat(m).doesNotContain("dan@b.example.test");
        }
        assertThat(headerBlock(dan)).contains("To: bob@b.example.test", "Cc: carol@b.example.test");
        // the Inbox answers 250 only after Dovecot took the copy: once A's queue is drained, every copy is in
        Await.until("A's queue drained", Duration.ofSeconds(20), () -> outbox.queue().size() == 0);
        assertThat(withToken(mailB, "bob@b.example.test", "e2e-pass-1")).hasSize(1);
        assertThat(withToken(mailB, "carol@b.example.test", "e2e-pass-1")).hasSize(1);
        assertThat(withToken(mailB, "dan@b.example.test", "e2e-pass-1")).hasSize(1);
    }

    @Test
    void oneOfTheTwoSignaturesFailingIsRecordedButTheOtherCarriesTheMessage() throws Exception {
        submit("alice@e.example.test", "e2e-half-1", "bob@b.example.test", null, null);

        String bob = await(mailB, "bob@b.example.test", "e2e-half-1");
        assertThat(dkimVerdicts(authResults(bob).get(0))).containsExactlyInAnyOrder("pass rsa-sha256", "fail ed25519-sha256");
        assertThat(authResults(bob).get(0)).contains("dmarc=pass", "header.from=e.example.test");
    }

    /** "pass rsa-sha256" for each dkim= result of an Authentication-Results field. */
    private static List<String> dkimVerdicts(String results) {
        Matcher dkim = Pattern.compile("dkim=(\\w+)[^;]*header\\.a=([\\w-]+)").matcher(results);
        List<String> verdicts = new ArrayList<>();
        while (dkim.find()) {
            verdicts.add(dkim.group(1) + " " + dkim.group(2));
        }
        return verdicts;
    }

    @Test
    void aSignatureThatDoesNotMatchTheKeyInDnsIsRefusedAndTheSenderGetsADsn() throws Exception {
        submit("alice@d.example.test", "e2e-badkey-1", "bob@b.example.test", null, null);

        String dsn = await(mailA, "alice@a.example.test", "e2e-badkey-1");
        assertThat(dsn).contains("multipart/report", "report-type=delivery-status", "Action: failed",
                "Final-Recipient: rfc822; bob@b.example.test", "Status: 5.7.20", "Remote-MTA: dns; " + MX_B,
                "Diagnostic-Code: smtp; 550 5.7.20 No valid DKIM signature", "Subject: e2e-badkey-1");
        assertThat(withToken(mailB, "bob@b.example.test", "e2e-badkey-1")).isEmpty();
        awaitEmptyQueue();
    }

    @Test
    void anUnsignedMessageWithoutSpfPassIsRefusedByTheDmarcRejectPolicy() throws Exception {
        submit("alice@c.example.test", "e2e-dmarc-1", "bob@b.example.test", null, null);

        String dsn = await(mailA, "alice@a.example.test", "e2e-dmarc-1");
        assertThat(dsn).contains("multipart/report", "Action: failed", "Final-Recipient: rfc822; bob@b.example.test",
                "Status: 5.7.1", "Diagnostic-Code: smtp; 550 5.7.1 Rejected by the DMARC policy", "Subject: e2e-dmarc-1");
        assertThat(withToken(mailB, "bob@b.example.test", "e2e-dmarc-1")).isEmpty();
        awaitEmptyQueue();
    }

    @Test
    void aSenderExcludedBySpfIsRefusedAtMailFromAndTheSenderGetsADsn() throws Exception {
        submit("alice@s.example.test", "e2e-spf-1", "bob@b.example.test", null, null);

        String dsn = await(mailA, "alice@a.example.test", "e2e-spf-1");
        assertThat(dsn).contains("multipart/report", "Action: failed", "Final-Recipient: rfc822; bob@b.example.test",
                "Status: 5.7.23", "Diagnostic-Code: smtp; 550 5.7.23 SPF validation failed for alice@s.example.test",
                "Subject: e2e-spf-1");
        assertThat(withToken(mailB, "bob@b.example.test", "e2e-spf-1")).isEmpty();
        awaitEmptyQueue();
    }

    /** A refused message is not retried: it leaves the queue once its DSN is out. */
    private static void awaitEmptyQueue() throws InterruptedException {
        Instant end = Instant.now().plusSeconds(5);
        while (outbox.queue().size() > 0 && Instant.now().isBefore(end)) {
            Thread.sleep(50);
        }
        assertThat(outbox.queue().size()).as("messages still queued").isZero();
    }
}
