package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The header and reply text the Inbox builds from what others (Rspamd, DNS) hand it. */
class InboxTransactionTest {

    @Test
    void rewrittenSubjectFromRspamdCannotAddHeaderFields() {
        // Rspamd builds its subject from the sender's, MIME-decoded: an encoded CR LF comes back raw
        MessageHeaders h = MessageHeaders.parse("Subject: x\r\nFrom: a@example.test\r\n\r\nbody\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        h.replace("Subject", InboxTransaction.spamSubject("*** SPAM *** hi\r\nX-Spam-Status: No\r\nBcc: x@example.test",
                "hi"));
        MessageHeaders reparsed = MessageHeaders.parse(h.toBytes());
        assertThat(reparsed.all("X-Spam-Status")).isEmpty();
        assertThat(reparsed.all("Bcc")).isEmpty();
        assertThat(reparsed.first("Subject")).startsWith("*** SPAM *** hi").contains("X-Spam-Status: No");
    }

    @Test
    void withoutRspamdsSubjectTheOriginalIsMarked() {
        assertThat(InboxTransaction.spamSubject(null, "hello")).isEqualTo("*** SPAM *** hello");
        assertThat(InboxTransaction.spamSubject(null, null)).isEqualTo("*** SPAM ***");
    }

    @Test
    void spfExplanationInAReplyIsPrintableAsciiAndBounded() {
        String t = InboxTransaction.replyText("see\u0000 http://x.example\u0085/\u00e9 " + "a".repeat(1000));
        assertThat(t).matches("[ -~]*").hasSizeLessThanOrEqualTo(203).startsWith("see? http://x.example?/? a");
    }
    @Test
    void forgedAuthenticationResultsWithOurAuthservIdAreRecognisedInEveryVariant() {
        String id = "mx.example.test";
        for (String forged : new String[] {
                "mx.example.test; dkim=pass header.d=bank.example",
                "MX.Example.Test; spf=pass smtp.mailfrom=bank.example",
                "\r\n\tmx.example.test 1;\r\n dkim=pass",
                "(ours) mx.example.test; dkim=pass header.d=bank.example",
                "\"mx.example.test\"; dkim=pass header.d=bank.example",
                "\"mx.example.test\"; dkim=pass header.d=bank.example not-a-property",
                "((nested) comment) mx.example.test; dkim=pass header.d=bank.example not-a-property",
                "mx.example.test; dkim=pass (unterminated comment"}) {
            assertThat(InboxPipeline.claimsAuthservId(forged, id)).as(forged).isTrue();
        }
        assertThat(InboxPipeline.claimsAuthservId("mx.other.test; dkim=pass", id)).isFalse();
        assertThat(InboxPipeline.claimsAuthservId("mx.example.test.evil; dkim=pass", id)).isFalse();
    }

    @Test
    void headerFieldsAreCountedAsParseFindsThemAndNoFurtherThanTheLimit() {
        byte[] m = "A: 1\r\nB: 2\r\n folded\r\nC: 3\r\n\r\nD: not a header\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(MessageHeaders.countFields(m, 100)).isEqualTo(3).isEqualTo(MessageHeaders.parse(m).fields().size());
        assertThat(MessageHeaders.countFields(m, 1)).isEqualTo(2);
        // a line that is not a field: the Inbox refuses such a header section (HeaderSection); parse is
        // mailauth's Message.parse, which skips the line and reads B as DKIM and Dovecot do, and so counts 2
        byte[] noSeparator = "A: 1\r\nbody line\r\nB: 2\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(MessageHeaders.countFields(noSeparator, 100)).isEqualTo(2).isEqualTo(MessageHeaders.parse(noSeparator).fields().size());
    }
}
