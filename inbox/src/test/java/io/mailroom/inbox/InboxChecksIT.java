package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.store.ClientReputationCache;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.UnboundExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPF, DKIM, ARC and DMARC through mailauth, with DNS served by a real Unbound, messages signed
 * and sealed by dkimpy, sent by swaks, delivered to a real Dovecot and read back over IMAP.
 */
class InboxChecksIT {
    static final String AUTHSERV = "mx.example.test";

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();
    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension();

    @TempDir
    static Path dir;

    static InboxFixture fixture;
    static Dkimpy.Key comKey;
    static Dkimpy.Key netKey;
    static Dkimpy.Key orgKey;
    /** spf enforce, dkim/arc tag, dmarc enforce */
    static InboxServer strict;
    /** everything tagged, no Rspamd */
    static InboxServer tagging;
    /** DNSBL enforced; DNSBL and rDNS tagged; rDNS enforced */
    static InboxServer blocking;
    static InboxServer screeningTag;
    static InboxServer requireRdns;

    @BeforeAll
    static void start() throws Exception {
        comKey = Dkimpy.newKey(dir, "com");
        netKey = Dkimpy.newKey(dir, "net");
        orgKey = Dkimpy.newKey(dir, "org");
        dns.zone("example.com", z -> z.txt("example.com", "v=spf1 ip4:127.0.0.1 -all")
                .a("client.example.com", "127.0.0.1")
                .a("1.0.0.127.bl.example.com", "127.0.0.2")
                .txt("sel._domainkey.example.com", comKey.dnsRecord())
                .txt("_dmarc.example.com", "v=DMARC1; p=reject"));
        dns.zone("example.net", z -> z.txt("example.net", "v=spf1 -all")
                .txt("sel._domainkey.example.net", netKey.dnsRecord())
                .txt("_dmarc.example.net", "v=DMARC1; p=reject"));
        dns.zone("example.org", z -> z.txt("example.org", "v=spf1 ip4:127.0.0.1 -all")
                .txt("forged-helo.example.org", "v=spf1 -all")
                .txt("arc._domainkey.example.org", orgKey.dnsRecord()));
        dns.zone("127.in-addr.arpa", z -> z.ptr("127.0.0.1", "client.example.com"));
        fixture = InboxFixture.open(mail);
        DnsjavaResolver resolver = InboxFixture.resolver(dns);
        MailAuthentication auth = new MailAuthentication(resolver, AUTHSERV);
        ClientReputationCache cache = new ClientReputationCache(fixture.redis.dataSource(), Duration.ofMinutes(5));
        InboxSettings base = fixture.plain(AUTHSERV);
        // the list's sealer is trusted (RFC 8617 §7.2); ForgedAuthorIT tries sealers that are not
        strict = fixture.start(fixture.defaults(AUTHSERV).withArcTrustedSealers(List.of("example.org")), auth);
        tagging = fixture.start(base.withAuth(CheckPolicy.TAG, CheckPolicy.TAG, CheckPolicy.TAG, CheckPolicy.TAG), auth);
        blocking = screening(base, CheckPolicy.ENFORCE, CheckPolicy.OFF, resolver, cache);
        screeningTag = screening(base, CheckPolicy.TAG, CheckPolicy.TAG, resolver, cache);
        requireRdns = screening(base, CheckPolicy.OFF, CheckPolicy.ENFORCE, resolver, cache);
    }

    static InboxServer screening(InboxSettings base, CheckPolicy dnsbl, CheckPolicy rdns, DnsjavaResolver resolver,
            ClientReputationCache cache) {
        InboxSettings s = base.withConnectionChecks(List.of("bl.example.com"), dnsbl, rdns);
        return fixture.start(fixture.pipeline(s, null)
                .connectionChecks(new ConnectionChecks(resolver, cache, s.dnsblZones(), dnsbl, rdns, null)));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        fixture.accounts("example.test", "alice@example.test");
    }

    private static byte[] message(String from, String subject, String body) {
        return ("From: " + from + "\r\nTo: alice@example.test\r\nSubject: " + subject
                + "\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <" + System.nanoTime() + "@example.com>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Swaks.Result send(InboxServer server, String mailFrom, byte[] data) throws Exception {
        Path f = Files.createTempFile(dir, "msg", ".eml");
        Files.write(f, data);
        return Swaks.send(server.port(), mailFrom, "alice@example.test", "--data", f.toString());
    }

    private static List<String> aliceInbox() {
        List<String> out = new ArrayList<>();
        for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), "alice@example.test", "alice-password")) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The Authentication-Results fields of a delivered message, unfolded. */
    private static List<String> authResults(String message) {
        String headers = message.substring(0, message.indexOf("\r\n\r\n") + 2).replaceAll("\r\n[ \t]+", " ");
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^Authentication-Results:(.*)$").matcher(headers);
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    @Test
    void signedMessagePassesSpfDkimAndDmarcAndIsScored() throws Exception {
        byte[] signed = Dkimpy.sign(dir, message("Carol <carol@example.com>", "signed", "hello"), "sel", "example.com", comKey);
        Swaks.Result r = send(strict, "carol@example.com", signed);
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        String m = aliceInbox().get(0);
        List<String> ar = authResults(m);
        assertThat(ar).hasSize(1);
        assertThat(ar.get(0)).startsWith(AUTHSERV + ";").contains("spf=pass smtp.mailfrom=carol@example.com",
                "dkim=pass", "header.d=example.com", "dmarc=pass", "header.from=example.com");
    }

    @Test
    void spfFailIsRefusedAtMailFromWhenEnforced() throws Exception {
        Swaks.Result r = send(strict, "someone@example.net", message("someone@example.net", "spf", "x"));
        assertThat(r.accepted()).isFalse();
        assertThat(r.transcript()).contains("550 5.7.23");
        assertThat(aliceInbox()).isEmpty();
    }

    @Test
    void dmarcRejectIsHonouredWhenEnforced() throws Exception {
        // SPF passes for the envelope domain, but nothing aligns with the From domain (p=reject)
        Swaks.Result r = send(strict, "bounce@example.com", message("CEO <ceo@example.net>", "pay this", "now"));
        assertThat(r.accepted()).isFalse();
        assertThat(r.transcript()).contains("550 5.7.1 Rejected by the DMARC policy");
        assertThat(aliceInbox()).isEmpty();
    }

    @Test
    void arcAuthenticatedForwardingIsTheDmarcException() throws Exception {
        // example.net signs; a mailing list at example.org changes the subject (DKIM breaks), records
        // what it saw in its own Authentication-Results and seals it with ARC
        byte[] original = Dkimpy.sign(dir, message("News <news@example.net>", "weekly", "list body"), "sel", "example.net", netKey);
        String listed = new String(original, StandardCharsets.UTF_8).replace("Subject: weekly", "Subject: [list] weekly");
        listed = "Authentication-Results: lists.example.org; dkim=pass header.d=example.net; spf=pass smtp.mailfrom=news@example.net\r\n" + listed;
        byte[] sealed = Dkimpy.arcSeal(dir, listed.getBytes(StandardCharsets.UTF_8), "arc", "example.org", orgKey, "lists.example.org");
        Swaks.Result r = send(strict, "list-bounce@example.org", sealed);
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        String ar = authResults(aliceInbox().get(0)).stream().filter(a -> a.startsWith(AUTHSERV)).findFirst().orElseThrow();
        assertThat(ar).contains("arc=pass", "dkim=fail", "dmarc=fail", "policy.dmarc=reject");

        // the same list message without the seal is refused
        Swaks.Result unsealed = send(strict, "list-bounce@example.org", listed.getBytes(StandardCharsets.UTF_8));
        assertThat(unsealed.accepted()).isFalse();
        assertThat(unsealed.transcript()).contains("550 5.7.1");
    }

    @Test
    void taggingRecordsEveryFailureInOneHeader() throws Exception {
        byte[] signed = Dkimpy.sign(dir, message("x@example.net", "tampered", "original body"), "sel", "example.com", comKey);
        byte[] tampered = new String(signed, StandardCharsets.UTF_8).replace("original body", "changed body")
                .getBytes(StandardCharsets.UTF_8);
        Swaks.Result r = send(tagging, "x@example.net", tampered);
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        List<String> ar = authResults(aliceInbox().get(0));
        assertThat(ar).hasSize(1);
        assertThat(ar.get(0)).contains("spf=fail", "dkim=fail", "arc=none", "dmarc=fail");
    }

    @Test
    void forgedResultsWithOurAuthservIdAreRemoved() throws Exception {
        String forged = "Authentication-Results: " + AUTHSERV + "; spf=pass smtp.mailfrom=ceo@example.net; dmarc=pass\r\n"
                + "Authentication-Results: other.example; dkim=pass header.d=example.com\r\n"
                + new String(message("x@example.net", "forged", "x"), StandardCharsets.UTF_8);
        Swaks.Result r = send(tagging, "x@example.net", forged.getBytes(StandardCharsets.UTF_8));
        assertThat(r.accepted()).isTrue();
        List<String> ar = authResults(aliceInbox().get(0));
        assertThat(ar).hasSize(2);
        assertThat(ar).filteredOn(a -> a.startsWith(AUTHSERV)).singleElement().asString()
                .contains("spf=fail").doesNotContain("dmarc=pass");
        assertThat(ar).anySatisfy(a -> assertThat(a).startsWith("other.example;"));
    }

    @Test
    void heloIdentityIsCheckedToo() throws Exception {
        Path f = Files.createTempFile(dir, "msg", ".eml");
        Files.write(f, message("carol@example.com", "helo", "x"));
        Swaks.Result r = Swaks.send(strict.port(), "carol@example.com", "alice@example.test", "--data", f.toString(),
                "--helo", "forged-helo.example.org");
        assertThat(r.accepted()).isFalse();
        assertThat(r.transcript()).contains("550 5.7.23 SPF validation failed for HELO forged-helo.example.org");
        Swaks.Result tagged = Swaks.send(tagging.port(), "carol@example.com", "alice@example.test", "--data", f.toString(),
                "--helo", "forged-helo.example.org");
        assertThat(tagged.accepted()).isTrue();
        assertThat(authResults(aliceInbox().get(0)).get(0))
                .contains("spf=pass smtp.mailfrom=carol@example.com", "spf=fail smtp.helo=forged-helo.example.org");
    }

    @Test
    void dnsblListingRefusesTheConnectionWhenEnforced() {
        Swaks.Result r = Swaks.send(blocking.port(), "carol@example.com", "alice@example.test");
        assertThat(r.accepted()).isFalse();
        assertThat(r.transcript()).contains("554 5.7.1 Service unavailable; client host [127.0.0.1] blocked using bl.example.com");
        assertThat(aliceInbox()).isEmpty();
        assertThat(fixture.redis.dataSource().value(String.class).get("dnsbl:bl.example.com:127.0.0.1")).isEqualTo("listed");
    }

    @Test
    void taggedConnectionChecksShowInTheHeaders() {
        Swaks.Result r = Swaks.send(screeningTag.port(), "carol@example.com", "alice@example.test", "--header", "Subject: screened");
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(aliceInbox()).singleElement().asString()
                .contains("X-DNSBL: client [127.0.0.1] listed in bl.example.com")
                .contains("Received: from client.example.com (client.example.com [127.0.0.1])");
    }

    @Test
    void clientWithoutReverseNameIsDeferredWhenRdnsIsEnforced() {
        // 127.0.0.2 has no PTR record; 127.0.0.1 has a forward-confirmed one
        Swaks.Result noName = Swaks.send(requireRdns.port(), "carol@example.com", "alice@example.test", "--local-interface", "127.0.0.2");
        assertThat(noName.accepted()).isFalse();
        assertThat(noName.transcript()).contains("450 4.7.25");
        Swaks.Result named = Swaks.send(requireRdns.port(), "carol@example.com", "alice@example.test");
        assertThat(named.accepted()).as(named.transcript()).isTrue();
    }
}
