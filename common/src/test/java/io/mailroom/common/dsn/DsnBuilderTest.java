package io.mailroom.common.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The DSN as a MIME parser (Jakarta Mail) reads it. */
class DsnBuilderTest {
    static final byte[] ORIGINAL = ("From: alice@example.test\r\nTo: bob@example.net\r\nSubject: hello\r\n"
            + "Message-ID: <m1@example.test>\r\n\r\nsecret body line\r\n").getBytes(StandardCharsets.US_ASCII);

    static MimeMessage parse(byte[] b) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(b));
    }

    static String raw(BodyPart p) throws Exception {
        return new String(((jakarta.mail.internet.MimeBodyPart) p).getRawInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void failureReportHasThreePartsWithPerRecipientFieldsAndOnlyTheHeaders() throws Exception {
        byte[] dsn = new DsnBuilder("mail.example.test")
                .to("alice@example.test")
                .envelopeId("env-42")
                .arrivalDate(Instant.parse("2026-01-02T03:04:05Z"))
                .originalMessage(ORIGINAL)
                .returnContent(DsnReturn.HDRS)
                .recipient(DsnRecipient.failed("rfc822;Bob@Example.net", "bob@example.net", "5.1.1",
                        "550 5.1.1 no such user", "mx.example.net"))
                .recipient(DsnRecipient.delayed(null, "carol@example.org", "4.7.1", "451 4.7.1 greylisted",
                        "mx.example.org", Instant.parse("2026-01-07T03:04:05Z")))
                .build();
        MimeMessage m = parse(dsn);
        assertThat(m.getContentType()).contains("multipart/report").contains("report-type=delivery-status");
        assertThat(m.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-replied");
        MimeMultipart mp = (MimeMultipart) m.getContent();
        assertThat(mp.getCount()).isEqualTo(3);
        assertThat(mp.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(raw(mp.getBodyPart(0))).contains("<bob@example.net>: host mx.example.net said: 550 5.1.1 no such user");
        assertThat(mp.getBodyPart(1).getContentType()).isEqualTo("message/delivery-status");
        String status = raw(mp.getBodyPart(1));
        assertThat(status).contains("Reporting-MTA: dns; mail.example.test\r\n", "Original-Envelope-Id: env-42\r\n",
                "Arrival-Date: Fri, 2 Jan 2026 03:04:05 +0000\r\n",
                "\r\n\r\nOriginal-Recipient: rfc822;Bob@Example.net\r\nFinal-Recipient: rfc822; bob@example.net\r\n"
                        + "Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.example.net\r\n"
                        + "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n",
                "Final-Recipient: rfc822; carol@example.org\r\nAction: delayed\r\nStatus: 4.7.1\r\n",
                "Will-Retry-Until: Wed, 7 Jan 2026 03:04:05 +0000");
        assertThat(mp.getBodyPart(2).getContentType()).isEqualTo("text/rfc822-headers");
        String headers = raw(mp.getBodyPart(2));
        assertThat(headers).contains("Subject: hello").doesNotContain("secret body line");
    }

    @Test
    void retFullCarriesTheWholeMessage() throws Exception {
        byte[] dsn = new DsnBuilder("mail.example.test").to("alice@example.test").originalMessage(ORIGINAL)
                .returnContent(DsnReturn.parse("full"))
                .recipient(DsnRecipient.failed(null, "bob@example.net", "5.0.0", null, null)).build();
        MimeMultipart mp = (MimeMultipart) parse(dsn).getContent();
        assertThat(mp.getBodyPart(2).getContentType()).isEqualTo("message/rfc822");
        assertThat(raw(mp.getBodyPart(2))).contains("secret body line");
    }

    @Test
    void successReportAndNoOriginal() throws Exception {
        byte[] dsn = new DsnBuilder("mail.example.test").to("alice@example.test")
                .recipient(DsnRecipient.delivered(null, "bob@example.test", "250 2.0.0 saved", "mail.example.test")).build();
        MimeMessage m = parse(dsn);
        assertThat(m.getSubject()).isEqualTo("Successful Mail Delivery Report");
        MimeMultipart mp = (MimeMultipart) m.getContent();
        assertThat(mp.getCount()).isEqualTo(2);
        assertThat(raw(mp.getBodyPart(1))).contains("Action: delivered\r\nStatus: 2.0.0\r\n");
    }

    @Test
    void networkTextCannotInjectFields() throws Exception {
        byte[] dsn = new DsnBuilder("mail.example.test").to("alice@example.test")
                .recipient(DsnRecipient.failed(null, "bob@example.net", "5.0.0",
                        "550 nope\r\nAction: delivered", "mx.example.net")).build();
        MimeMultipart mp = (MimeMultipart) parse(dsn).getContent();
        assertThat(raw(mp.getBodyPart(1))).contains("Diagnostic-Code: smtp; 550 nope Action: delivered\r\n")
                .doesNotContain("\r\nAction: delivered");
        assertThatThrownBy(() -> DsnRecipient.failed(null, "x@example.net", "550", null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noLineOfTheReportIsLongerThan998Characters() throws Exception {
        // long values that reach a report: a 253-character address, a 203-character host, a 900-character reply
        String rcpt = "r".repeat(64) + "@" + ("d".repeat(58) + ".").repeat(3) + "example.net";
        String mta = ("m".repeat(62) + ".").repeat(3) + "mx.example.net";
        String reply = "550 5.7.1 " + "blocked because of reasons ".repeat(40);
        byte[] dsn = new DsnBuilder("mail.example.test").to("alice@example.test").originalMessage(ORIGINAL)
                .recipient(DsnRecipient.failed("rfc822;" + rcpt, rcpt, "5.7.1", reply, mta)).build();
        for (String line : new String(dsn, StandardCharsets.UTF_8).split("\r\n", -1)) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(998);
        }
        MimeMultipart mp = (MimeMultipart) parse(dsn).getContent();
        assertThat(raw(mp.getBodyPart(0))).contains("<" + rcpt + ">", "host " + mta + " said:", "550 5.7.1 blocked because");
        assertThat(raw(mp.getBodyPart(1))).contains("Diagnostic-Code: smtp; 550 5.7.1 blocked because");
    }

    @Test
    void xtextRoundTrip() {
        assertThat(Xtext.encode("rfc822;a+b=c@example.net")).isEqualTo("rfc822;a+2Bb+3Dc@example.net");
        assertThat(Xtext.decode("rfc822;a+2Bb+3Dc@example.net")).isEqualTo("rfc822;a+b=c@example.net");
        assertThatThrownBy(() -> Xtext.decode("abc+4")).isInstanceOf(IllegalArgumentException.class);
    }
}
