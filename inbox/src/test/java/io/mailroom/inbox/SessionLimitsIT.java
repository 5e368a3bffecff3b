package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.UnboundExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one SMTP session may cost the Inbox, tried over raw sockets against the running listener
 * with its default limits: NUL bytes in commands, refused recipients, MAIL/RSET cycles, and SPF
 * lookups that a session without a single valid recipient makes us do (counted in the real
 * Unbound's query log).
 */
class SessionLimitsIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();
    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension();

    static InboxFixture fixture;
    static InboxServer inbox;

    @BeforeAll
    static void start() {
        dns.zone("attacker.test", z -> z.txt("attacker.test", "v=spf1 ip4:127.0.0.0/8 -all"));
        dns.zone("spfprobe.test", z -> z.txt("spfprobe.test", "v=spf1 ip4:127.0.0.0/8 -all"));
        fixture = InboxFixture.open(mail);
        inbox = fixture.start(fixture.defaults("mx.example.test"), InboxFixture.auth(dns, "mx.example.test"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        fixture.accounts("example.test", "alice@example.test");
    }

    /** RFC 5321 §4.1.1 / §2.3.1: a NUL is never part of a command; each line is refused as a whole. */
    @Test
    void aNulAnywhereInACommandLineIsRefused() throws Exception {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("EHLO", "EHLO client\0.example.com");
        lines.put("HELO", "HELO client.example.com\0");
        lines.put("MAIL", "MAIL FROM:<x@attacker.test>\0 SIZE=100");
        lines.put("RCPT", "RCPT TO:<alice@example.test\0>");
        lines.put("RSET", "RSET\0");
        lines.put("NOOP", "NOOP \0");
        lines.put("VRFY", "VRFY alice\0");
        lines.put("DATA", "DATA\0");
        lines.put("QUIT", "QUIT\0");
        Map<String, String> replies = new LinkedHashMap<>();
        for (var l : lines.entrySet()) {
            try (RawSmtp s = RawSmtp.open(inbox.port())) {
                if (l.getKey().equals("RCPT") || l.getKey().equals("DATA")) {
                    assertThat(s.command("MAIL FROM:<x@attacker.test>")).startsWith("250");
                }
                if (l.getKey().equals("DATA")) {
                    assertThat(s.command("RCPT TO:<alice@example.test>")).startsWith("250");
                }
                replies.put(l.getKey(), s.command(l.getValue()));
                // the session goes on: the refused line did nothing
                assertThat(s.command("NOOP")).as(l.getKey()).startsWith("250");
            }
        }
        long refused = replies.values().stream().filter(r -> r.startsWith("500 5.5.2")).count();
        System.out.printf("NUL in a command line: %d of %d refused%n", refused, replies.size());
        replies.forEach((k, v) -> System.out.printf("  %-5s -> %s%n", k, v));
        assertThat(replies).allSatisfy((k, v) -> assertThat(v).as(k).startsWith("500 5.5.2"));
    }

    /** Postfix's smtpd_hard_error_limit: a session that probes addresses is ended, not served forever. */
    @Test
    void refusedRecipientsEndTheSession() throws Exception {
        int attempts = 100;
        int refused = 0;
        String closing = null;
        try (RawSmtp s = RawSmtp.open(inbox.port())) {
            assertThat(s.command("MAIL FROM:<x@attacker.test>")).startsWith("250");
            for (int i = 0; i < attempts; i++) {
                String r = s.command("RCPT TO:<guess" + i + "@example.test>");
                if (r == null || r.startsWith("421")) {
                    closing = r;
                    break;
                }
                assertThat(r).startsWith("550 5.1.1");
                refused++;
            }
            assertThat(s.reply()).as("connection closed after 421").isNull();
        }
        System.out.printf("address probing: %d of %d RCPTs answered before the session ended with %s%n",
                refused, attempts, closing);
        assertThat(closing).startsWith("421 4.7.0");
        assertThat(refused).isLessThanOrEqualTo(SmtpServerSettings.DEFAULT_MAX_REFUSED_RECIPIENTS);
    }

    @Test
    void mailRsetCyclesEndTheSession() throws Exception {
        int attempts = 1000;
        int cycles = 0;
        String closing = null;
        try (RawSmtp s = RawSmtp.open(inbox.port())) {
            for (int i = 0; i < attempts; i++) {
                String r = s.command("MAIL FROM:<x@attacker.test>");
                if (r == null || r.startsWith("421")) {
                    closing = r;
                    break;
                }
                assertThat(r).startsWith("250");
                assertThat(s.command("RSET")).startsWith("250");
                cycles++;
            }
            assertThat(s.reply()).as("connection closed after 421").isNull();
        }
        System.out.printf("MAIL/RSET cycles: %d of %d served before the session ended with %s%n", cycles, attempts, closing);
        assertThat(closing).startsWith("421 4.7.0");
        assertThat(cycles).isLessThanOrEqualTo(SmtpServerSettings.DEFAULT_MAX_TRANSACTIONS);
    }

    /**
     * SPF costs up to 10 DNS lookups per check (RFC 7208 §4.6.4); it is done once per
     * transaction, after the first accepted RCPT, so MAIL FROM without a valid recipient costs
     * us no lookup at all.
     */
    @Test
    void spfIsEvaluatedOncePerTransactionAfterTheFirstAcceptedRecipient() throws Exception {
        int cycles = 20;
        try (RawSmtp s = RawSmtp.open(inbox.port())) {
            for (int i = 0; i < cycles; i++) {
                assertThat(s.command("MAIL FROM:<x@c" + i + ".spfprobe.test>")).startsWith("250");
                assertThat(s.command("RCPT TO:<nobody@example.test>")).startsWith("550");
                assertThat(s.command("RSET")).startsWith("250");
            }
            assertThat(s.command("MAIL FROM:<x@once.spfprobe.test>")).startsWith("250");
            for (int i = 0; i < 3; i++) {
                assertThat(s.command("RCPT TO:<alice@example.test>")).startsWith("250");
            }
            assertThat(s.command("RSET")).startsWith("250");
        }
        String log = dns.server().logTail(1_000_000);
        long probes = log.lines().filter(l -> l.matches(".*\\bc\\d+\\.spfprobe\\.test\\. TXT.*")).count();
        long once = log.lines().filter(l -> l.contains(" once.spfprobe.test. TXT")).count();
        System.out.printf("SPF: %d of %d transactions without a valid recipient cost no TXT lookup; the real one cost %d%n",
                cycles - Math.min(cycles, probes), cycles, once);
        assertThat(probes).isZero();
        assertThat(once).isEqualTo(1);
    }
}
