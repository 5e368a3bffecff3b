package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.RspamdExtension;
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

/** Content filtering by a real Rspamd ({@code /checkv2}) in front of a real Dovecot. */
class InboxRspamdIT {
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();
    @RegisterExtension
    static RspamdExtension rspamd = new RspamdExtension();

    @TempDir
    static Path dir;

    static InboxFixture fixture;
    static InboxServer enforcing;
    static InboxServer tagging;
    static InboxServer filterDown;
    static InboxServer filterDownAccept;

    @BeforeAll
    static void start() {
        fixture = InboxFixture.open(mail);
        InboxSettings base = fixture.plain("mx.example.test");
        int dead = FreePorts.next();
        enforcing = fixture.start(base.withRspamd(CheckPolicy.ENFORCE, "127.0.0.1", rspamd.normalPort(), InboxSettings.RspamdFailure.TEMPFAIL), null);
        tagging = fixture.start(base.withRspamd(CheckPolicy.TAG, "127.0.0.1", rspamd.normalPort(), InboxSettings.RspamdFailure.TEMPFAIL), null);
        filterDown = fixture.start(base.withRspamd(CheckPolicy.ENFORCE, "127.0.0.1", dead, InboxSettings.RspamdFailure.TEMPFAIL), null);
        filterDownAccept = fixture.start(base.withRspamd(CheckPolicy.ENFORCE, "127.0.0.1", dead, InboxSettings.RspamdFailure.ACCEPT), null);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        fixture.accounts("example.test", "alice@example.test");
    }

    private static Swaks.Result send(InboxServer server, String subject, String body) throws Exception {
        String msg = "From: carol@example.com\r\nTo: alice@example.test\r\nSubject: " + subject
                + "\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <" + System.nanoTime() + "@example.com>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n";
        Path f = Files.createTempFile(dir, "msg", ".eml");
        Files.writeString(f, msg);
        return Swaks.send(server.port(), "carol@example.com", "alice@example.test", "--data", f.toString());
    }

    private static List<String> alice() {
        List<String> out = new ArrayList<>();
        for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), "alice@example.test", "alice-password")) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void gtubeIsRejectedWhenEnforcing() throws Exception {
        Swaks.Result r = send(enforcing, "buy now", GTUBE);
        assertThat(r.accepted()).isFalse();
        assertThat(r.transcript()).contains("550 5.7.1 Message rejected as spam");
        assertThat(alice()).isEmpty();
    }

    @Test
    void gtubeIsDeliveredTaggedWhenTagging() throws Exception {
        Swaks.Result r = send(tagging, "buy now", GTUBE);
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(alice()).singleElement().asString().contains("X-Spam-Status: Yes, action=reject", "X-Spam: Yes")
                .containsPattern("X-Spam-Score: \\d+\\.\\d\\d / \\d+\\.\\d\\d");
    }

    @Test
    void ordinaryMailIsScoredAndDelivered() throws Exception {
        Swaks.Result r = send(enforcing, "lunch", "Shall we meet at noon?");
        assertThat(r.accepted()).as(r.transcript()).isTrue();
        assertThat(alice()).singleElement().asString().contains("X-Spam-Status: No, action=no_action", "X-Spam-Score: ");
    }

    @Test
    void forgedSpamHeadersFromOutsideAreReplaced() throws Exception {
        String body = "hello";
        String msg = "X-Spam-Status: No, score=-100\r\nX-Spam-Score: -100\r\nFrom: carol@example.com\r\nTo: alice@example.test\r\n"
                + "Subject: forged\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <f" + System.nanoTime() + "@example.com>\r\n\r\n"
                + body + "\r\n";
        Path f = Files.createTempFile(dir, "msg", ".eml");
        Files.writeString(f, msg);
        assertThat(Swaks.send(enforcing.port(), "carol@example.com", "alice@example.test", "--data", f.toString()).accepted()).isTrue();
        String m = alice().get(0);
        assertThat(m).doesNotContain("score=-100", "X-Spam-Score: -100");
    }

    @Test
    void unreachableRspamdTempfailsByDefault() throws Exception {
        Swaks.Result r = send(filterDown, "filter down", "x");
        assertThat(r.accepted()).isFalse();
        assertThat(r.transcript()).contains("451 4.7.1 Content filter unavailable");
        assertThat(alice()).isEmpty();
    }

    @Test
    void unreachableRspamdWithAcceptPolicyDeliversTagged() throws Exception {
        Swaks.Result r = send(filterDownAccept, "filter down", "x");
        assertThat(r.accepted()).isTrue();
        assertThat(alice()).singleElement().asString().contains("X-Spam-Status: unknown (filter unavailable)");
    }
}
