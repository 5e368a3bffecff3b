package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.RspamdExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rspamd's "add header" action (probable spam) quarantines like DMARC p=quarantine: into the
 * recipient's Junk mailbox, read back over IMAP from the real Dovecot. Rspamd's own test pattern
 * for that action (the GTUBE variant starting "YJS", enabled by enable_test_patterns) makes the
 * verdict certain.
 */
class SpamQuarantineIT {
    static final String ADD_HEADER_GTUBE = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();
    @RegisterExtension
    static RspamdExtension rspamd = new RspamdExtension().localConfig("options.inc", sharedOptions() + "\nenable_test_patterns = true;\n");

    @TempDir
    static Path dir;

    static InboxFixture fixture;
    static InboxServer junking;
    static InboxServer inboxOnly;

    static String sharedOptions() {
        try (InputStream in = SpamQuarantineIT.class.getResourceAsStream("/mailroom-config/rspamd/local.d/options.inc")) {
            if (in == null) {
                throw new IllegalStateException("the shared Rspamd options.inc is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() {
        fixture = InboxFixture.open(mail);
        InboxSettings s = fixture.plain("mx.example.test")
                .withRspamd(CheckPolicy.ENFORCE, "127.0.0.1", rspamd.normalPort(), InboxSettings.RspamdFailure.TEMPFAIL);
        junking = fixture.start(s, null);
        inboxOnly = fixture.start(s.withQuarantine(InboxSettings.Quarantine.INBOX), null);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        fixture.accounts("example.test", "alice@example.test");
    }

    private static Swaks.Result send(InboxServer server, String body) throws Exception {
        String msg = "From: carol@example.com\r\nTo: alice@example.test\r\nSubject: cheap pills"
                + "\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <" + System.nanoTime() + "@example.com>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n";
        Path f = Files.createTempFile(dir, "msg", ".eml");
        Files.writeString(f, msg);
        return Swaks.send(server.port(), "carol@example.com", "alice@example.test", "--data", f.toString());
    }

    private static List<String> folder(String name) {
        List<String> out = new ArrayList<>();
        for (byte[] m : ImapMailbox.messages(mail.dovecot().imapPort(), "alice@example.test", "alice-password", name)) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void addHeaderGoesToJunk() throws Exception {
        Swaks.Result r = send(junking, ADD_HEADER_GTUBE);
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        List<String> inbox = folder("INBOX");
        List<String> junk = folder("Junk");
        System.out.printf("Rspamd add header: %d of 1 kept out of the INBOX (INBOX %d, Junk %d)%n",
                1 - inbox.size(), inbox.size(), junk.size());
        assertThat(inbox).isEmpty();
        assertThat(junk).singleElement().asString().contains("X-Spam-Status: Yes, action=add_header", "X-Spam: Yes");
        assertThat(ImapMailbox.attributes(mail.dovecot().imapPort(), "alice@example.test", "alice-password", "Junk"))
                .contains("\\Junk");
    }

    @Test
    void anInstallationMayKeepQuarantinedMailInTheInbox() throws Exception {
        Swaks.Result r = send(inboxOnly, ADD_HEADER_GTUBE);
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(folder("INBOX")).singleElement().asString().contains("X-Spam-Status: Yes, action=add_header");
        assertThat(folder("Junk")).isEmpty();
    }
}
