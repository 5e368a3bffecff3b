package io.mailroom.outbox.submission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessagePreparerTest {
    @Test
    void bccGoesAndMissingDateAndMessageIdAreAddedFoldedFieldsStayIntact() {
        byte[] in = ("From: \"Alice, A.\" <alice@example.test>\r\nTo: bob@example.net,\r\n carol@example.net\r\n"
                + "Bcc: secret@example.net,\r\n\tother@example.net\r\nSubject: hi\r\n\r\nbody\r\nBcc: not a header\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        MessagePreparer.Parsed p = MessagePreparer.parse(in);
        assertThat(MessagePreparer.fromAddresses(p)).containsExactly("alice@example.test");
        String out = new String(MessagePreparer.prepare(in, p, "mail.example.test", "Received: by mail.example.test"),
                StandardCharsets.US_ASCII);
        assertThat(out).startsWith("Received: by mail.example.test\r\nFrom: ");
        assertThat(out).contains("To: bob@example.net,\r\n carol@example.net\r\n", "Date: ", "Message-ID: <")
                .doesNotContain("secret@", "other@example.net");
        assertThat(out).endsWith("\r\n\r\nbody\r\nBcc: not a header\r\n");
    }

    @Test
    void existingDateAndMessageIdAreKeptAndAMissingFromIsSeen() {
        byte[] in = "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <x@y>\r\nSubject: s\r\n\r\nb\r\n".getBytes(StandardCharsets.US_ASCII);
        MessagePreparer.Parsed p = MessagePreparer.parse(in);
        assertThat(MessagePreparer.fromAddresses(p)).isEmpty();
        String out = new String(MessagePreparer.prepare(in, p, "h", "Received: x"), StandardCharsets.US_ASCII);
        assertThat(out.split("Message-ID:", -1)).hasSize(2);
        assertThat(out.split("Date:", -1)).hasSize(2);
    }

    @Test
    void aFromFieldWithAnAddressTheParserSkipsIsRefusedAsAWhole() {
        // each of these holds another address next to the one a lenient parser returns; a reader's
        // program may show that other one, so the sender check must not pass on the first alone
        for (String from : java.util.List.of("<alice@example.test> victim@other.test",
                "Alice <alice@example.test>>victim@other.test", "alice@example.test <>",
                "\"a\" <alice@example.test>, <victim@other.test")) {
            MessagePreparer.Parsed p = MessagePreparer.parse(("From: " + from + "\r\nSubject: s\r\n\r\nb\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(MessagePreparer.fromAddresses(p)).as(from).isEmpty();
        }
        // ordinary forms still give their addresses; a display name or comment is not an address
        for (String from : java.util.List.of("Alice B. Smith <alice@example.test>", "alice@example.test (Alice)",
                "\"victim@other.test\" <alice@example.test>", "=?utf-8?q?J=C3=B6rg?= <alice@example.test>",
                "Jörg <alice@example.test>", "Alice: alice@example.test;")) {
            MessagePreparer.Parsed p = MessagePreparer.parse(("From: " + from + "\r\n\r\nb\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(MessagePreparer.fromAddresses(p)).as(from).containsExactly("alice@example.test");
        }
    }
}
