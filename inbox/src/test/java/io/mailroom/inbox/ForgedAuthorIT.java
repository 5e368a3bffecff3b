package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.UnboundExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker who controls only attacker.test tries to land mail that mail clients show as from
 * example.net ({@code p=reject}) or example.com ({@code p=quarantine}) in a user's INBOX. The
 * Inbox runs with its defaults (SPF and DMARC enforced, DKIM and ARC tagged, no trusted ARC
 * sealer); DNS is a real Unbound, signatures and seals are dkimpy's, delivery is read back from
 * the real Dovecot over IMAP.
 */
class ForgedAuthorIT {
    static final String AUTHSERV = "mx.example.test";
    /** What a forger would like our own Authentication-Results to say. */
    static final String FORGED_AR = "Authentication-Results: " + AUTHSERV
            + "; spf=pass smtp.mailfrom=ceo@example.net; dkim=pass header.d=example.net; dmarc=pass header.from=example.net";

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();
    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension();

    @TempDir
    static Path dir;

    static InboxFixture fixture;
    static Dkimpy.Key attackerKey;
    static InboxServer defaults;
    static InboxServer tagging;

    @BeforeAll
    static void start() throws Exception {
        attackerKey = Dkimpy.newKey(dir, "attacker");
        dns.zone("example.net", z -> z.txt("example.net", "v=spf1 -all").txt("_dmarc.example.net", "v=DMARC1; p=reject"));
        dns.zone("example.com", z -> z.txt("example.com", "v=spf1 -all").txt("_dmarc.example.com", "v=DMARC1; p=quarantine"));
        dns.zone("attacker.test", z -> z.txt("attacker.test", "v=spf1 ip4:127.0.0.0/8 -all")
                .txt("sel._domainkey.attacker.test", attackerKey.dnsRecord())
                .txt("arc._domainkey.attacker.test", attackerKey.dnsRecord()));
        fixture = InboxFixture.open(mail);
        MailAuthentication auth = InboxFixture.auth(dns, AUTHSERV);
        // the service's defaults (InboxConfig): spf enforce, dkim tag, arc tag, dmarc enforce
        defaults = fixture.start(fixture.defaults(AUTHSERV), auth);
        tagging = fixture.start(fixture.plain(AUTHSERV)
                .withAuth(CheckPolicy.TAG, CheckPolicy.TAG, CheckPolicy.TAG, CheckPolicy.TAG), auth);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        fixture.accounts("example.test", "alice@example.test");
    }

    private static String message(String from, String subject) {
        return "From: " + from + "\r\nTo: alice@example.test\r\nSubject: " + subject
                + "\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <" + System.nanoTime() + "@attacker.test>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nPlease pay the attached invoice today.\r\n";
    }

    private static List<String> folder(String name) {
        List<String> out = new ArrayList<>();
        for (byte[] m : ImapMailbox.messages(mail.dovecot().imapPort(), "alice@example.test", "alice-password", name)) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Swaks.Result swaks(InboxServer server, String mailFrom, byte[] data) throws Exception {
        Path f = Files.createTempFile(dir, "msg", ".eml");
        Files.write(f, data);
        return Swaks.send(server.port(), mailFrom, "alice@example.test", "--data", f.toString());
    }

    private static String send(InboxServer server, String mailFrom, byte[] data) throws Exception {
        try (RawSmtp s = RawSmtp.open(server.port())) {
            return s.transaction(mailFrom, "alice@example.test", data);
        }
    }

    /** Prints and checks "N of M refused"; every variant must be refused with {@code expected}. */
    private static void assertAllRefused(String what, Map<String, String> replies, String expected) {
        long refused = replies.values().stream().filter(r -> r != null && r.startsWith(expected)).count();
        System.out.printf("%s: %d of %d refused%n", what, refused, replies.size());
        replies.forEach((variant, reply) -> System.out.printf("  %-40s -> %s%n", variant, reply));
        assertThat(replies).as(what).allSatisfy((variant, reply) -> assertThat(reply).as(variant).startsWith(expected));
    }

    /**
     * RFC 8617 §7.2: a valid ARC chain says only who sealed it. The attacker seals its own spoof,
     * with an ARC-Authentication-Results claiming example.net passed; with no trusted sealer
     * configured that must not lift example.net's p=reject.
     */
    @Test
    void anArcSealFromAnUntrustedSealerDoesNotOverrideDmarcReject() throws Exception {
        String spoof = "Authentication-Results: attacker.test; dkim=pass header.d=example.net;"
                + " spf=pass smtp.mailfrom=ceo@example.net; dmarc=pass header.from=example.net\r\n"
                + message("CEO <ceo@example.net>", "urgent wire transfer");
        byte[] sealedOnly = Dkimpy.arcSeal(dir, spoof.getBytes(StandardCharsets.UTF_8), "arc", "attacker.test", attackerKey,
                "attacker.test");
        byte[] signed = Dkimpy.sign(dir, spoof.getBytes(StandardCharsets.UTF_8), "sel", "attacker.test", attackerKey);
        byte[] signedAndSealed = Dkimpy.arcSeal(dir, signed, "arc", "attacker.test", attackerKey, "attacker.test");
        Map<String, String> replies = new LinkedHashMap<>();
        for (var v : Map.of("ARC-sealed", sealedOnly, "DKIM-signed and ARC-sealed", signedAndSealed).entrySet()) {
            Swaks.Result r = swaks(defaults, "bounce@attacker.test", v.getValue());
            replies.put(v.getKey(), r.accepted() ? "accepted" : lastReply(r.transcript()));
        }
        assertAllRefused("ARC from an untrusted sealer", replies, "550 5.7.1");
        assertThat(folder("INBOX")).isEmpty();
        assertThat(folder("Junk")).isEmpty();

        // the chain is still recorded: tagged, the message shows arc=pass beside dmarc=fail
        Swaks.Result tagged = swaks(tagging, "bounce@attacker.test", signedAndSealed);
        assertThat(tagged.accepted()).as(tagged.transcript()).isTrue();
        String ours = authResults(folder("INBOX").get(0)).stream().filter(a -> a.startsWith(AUTHSERV)).findFirst().orElseThrow();
        assertThat(ours).contains("arc=pass", "dmarc=fail", "header.from=example.net");
    }

    /**
     * RFC 5322 §3.4 / RFC 7489 §6.6.1: the author domain is the domain of the one mailbox a mail
     * client shows. Each From below displays ceo@example.net, or names no single author; with
     * DMARC enforced each is refused.
     */
    @Test
    void fromFieldsThatHideTheAuthorDomainAreRefused() throws Exception {
        Map<String, String> froms = new LinkedHashMap<>();
        froms.put("nested comment", "ceo@example.net (a (b) x@attacker.test)");
        froms.put("escaped parenthesis in a comment", "ceo@example.net (\\) x@attacker.test)");
        froms.put("group with one mailbox", "Board: ceo@example.net;");
        froms.put("display name only, no address", "\"ceo@example.net\"");
        froms.put("address as a display name", "ceo@example.net <x@attacker.test>");
        froms.put("unclosed comment", "ceo@example.net (see x@attacker.test");
        froms.put("two authors, two domains", "x@attacker.test, ceo@example.net");
        froms.put("empty group", "undisclosed-recipients:;");
        Map<String, String> replies = new LinkedHashMap<>();
        for (var f : froms.entrySet()) {
            replies.put(f.getKey(), send(defaults, "bounce@attacker.test",
                    message(f.getValue(), "invoice").getBytes(StandardCharsets.UTF_8)));
        }
        assertAllRefused("From fields hiding the author domain", replies, "550 5.7.1");
        assertThat(folder("INBOX")).isEmpty();
        assertThat(folder("Junk")).isEmpty();
    }

    /**
     * A header section that Dovecot and mail clients read differently from the Inbox, each hiding
     * a forged Authentication-Results with our authserv-id (RFC 8601 §5), is refused.
     */
    @Test
    void headerSectionsReadDifferentlyByDovecotAreRefused() throws Exception {
        String legit = message("x@attacker.test", "hello");
        Map<String, byte[]> variants = new LinkedHashMap<>();
        variants.put("line without a colon", bytes("X-Mailer: a\r\nthis line has no colon\r\n" + FORGED_AR + "\r\n" + legit));
        variants.put("field name with a space", bytes("X Mailer: a\r\n" + FORGED_AR + "\r\n" + legit));
        variants.put("continuation before the first field", bytes(" folded\r\n" + FORGED_AR + "\r\n" + legit));
        variants.put("NUL in a field", bytes("Subject: a\0" + FORGED_AR + "\r\n" + legit));
        variants.put("bare CR in a field", bytes("Subject: a\r" + FORGED_AR + "\r\n" + legit));
        variants.put("8-bit field without SMTPUTF8", concat("Subject: caf".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xc3, (byte) 0xa9}, bytes("\r\n" + FORGED_AR + "\r\n" + legit)));
        variants.put("over-long unfolded field", bytes("X-Long: " + "a".repeat(900) + ("\r\n " + "a".repeat(900)).repeat(120)
                + "\r\n" + FORGED_AR + "\r\n" + legit));
        Map<String, String> replies = new LinkedHashMap<>();
        for (var v : variants.entrySet()) {
            replies.put(v.getKey(), send(tagging, "x@attacker.test", v.getValue()));
        }
        assertAllRefused("header sections read differently", replies, "5");
        assertThat(folder("INBOX")).isEmpty();

        // the same 8-bit field is fine when the client said SMTPUTF8 (RFC 6531 §3.2)
        try (RawSmtp s = RawSmtp.open(tagging.port())) {
            assertThat(s.command("MAIL FROM:<x@attacker.test> SMTPUTF8")).startsWith("250");
            assertThat(s.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(s.command("DATA")).startsWith("354");
            String r = s.command(concat("Subject: caf".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xc3, (byte) 0xa9},
                    bytes("\r\n" + legit + ".")));
            assertThat(r).startsWith("250");
        }
        assertThat(folder("INBOX")).hasSize(1);
    }

    /**
     * RFC 7489 §6.3: p=quarantine asks receivers to treat the mail as suspicious: it goes to the
     * recipient's Junk folder (special use \Junk, RFC 6154), with the failure in
     * Authentication-Results, and never to the INBOX.
     */
    @Test
    void dmarcQuarantineIsDeliveredToJunk() throws Exception {
        Swaks.Result r = swaks(defaults, "bounce@attacker.test", bytes(message("IT desk <it@example.com>", "password expiry")));
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        List<String> inbox = folder("INBOX");
        List<String> junk = folder("Junk");
        System.out.printf("p=quarantine spoof: %d of 1 kept out of the INBOX (INBOX %d, Junk %d)%n",
                1 - inbox.size(), inbox.size(), junk.size());
        assertThat(inbox).isEmpty();
        assertThat(junk).hasSize(1);
        String ours = authResults(junk.get(0)).stream().filter(a -> a.startsWith(AUTHSERV)).findFirst().orElseThrow();
        assertThat(ours).contains("dmarc=fail", "header.from=example.com", "policy.dmarc=quarantine");
        assertThat(ImapMailbox.attributes(mail.dovecot().imapPort(), "alice@example.test", "alice-password", "Junk"))
                .contains("\\Junk");
    }

    static List<String> authResults(String message) {
        String headers = message.substring(0, message.indexOf("\r\n\r\n") + 2).replaceAll("\r\n[ \t]+", " ");
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Authentication-Results:(.*)$").matcher(headers);
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    /** The first refusal in a swaks transcript (swaks marks them "<** "). */
    static String lastReply(String transcript) {
        for (String l : transcript.split("\n")) {
            if (l.startsWith("<** ")) {
                return l.substring(4).trim();
            }
        }
        return "no refusal in: " + transcript;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
