package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IDNA2008 (RFC 5890-5892, UTS #46 non-transitional): faß.de is not fass.de. Under IDNA2003
 * (java.net.IDN) the owner of faß.de, a different registrable domain, could write to
 * alice@faß.de and reach our alice@fass.de, or pass for her. Sent with SMTPUTF8 over a raw
 * socket to the running Inbox; delivery read back from the real Dovecot.
 */
class InternationalDomainIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    static InboxFixture fixture;
    static InboxServer inbox;

    @BeforeAll
    static void start() {
        fixture = InboxFixture.open(mail);
        inbox = fixture.start(fixture.plain("mx.example.test"), null);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        fixture.accounts("fass.de", "alice@fass.de");
    }

    @Test
    void domainsThatIdna2003FoldsTogetherAreNotOurs() throws Exception {
        Map<String, String> recipients = new LinkedHashMap<>();
        recipients.put("sharp s (faß.de)", "alice@fa\u00df.de");
        recipients.put("zero width joiner (fass\\u200D.de)", "alice@fass\u200d.de");
        Map<String, String> replies = new LinkedHashMap<>();
        for (var r : recipients.entrySet()) {
            try (RawSmtp s = RawSmtp.open(inbox.port())) {
                assertThat(s.command("MAIL FROM:<x@example.com> SMTPUTF8")).startsWith("250");
                replies.put(r.getKey(), s.command(("RCPT TO:<" + r.getValue() + ">").getBytes(StandardCharsets.UTF_8)));
            }
        }
        long refused = replies.values().stream().filter(v -> v.startsWith("5")).count();
        System.out.printf("IDNA2003 look-alike domains: %d of %d refused%n", refused, replies.size());
        replies.forEach((k, v) -> System.out.printf("  %-36s -> %s%n", k, v));
        assertThat(replies).allSatisfy((k, v) -> assertThat(v).as(k).startsWith("5"));

        // our own domain in another spelling (UTS #46 mapping: case, full width) is still ours
        try (RawSmtp s = RawSmtp.open(inbox.port())) {
            assertThat(s.transaction("x@example.com", "alice@FASS.de",
                    "Subject: hi\r\nFrom: x@example.com\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII))).startsWith("250");
        }
        assertThat(ImapMailbox.inbox(mail.dovecot().imapPort(), "alice@fass.de", "alice-password")).hasSize(1);
    }
}
