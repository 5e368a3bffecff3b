package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.store.AccountStore;
import io.mailroom.testkit.DovecotExtension;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 5321 §4.5.1 makes postmaster@ of every local domain deliverable, so anyone may ask for it
 * as often as they like. Without a postmaster user, alias or catch-all it reaches the domain's
 * first user; finding that one must not walk the whole keyspace (SCAN user:*) per RCPT. Counted
 * in the real Redis's INFO commandstats while a raw SMTP session asks.
 */
class PostmasterLookupIT {
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
        fixture.accounts("example.test", "bob@example.test", "alice@example.test");
        fixture.store.createDomain("empty.example.test");
    }

    private static long scans() {
        Matcher m = Pattern.compile("cmdstat_scan:calls=(\\d+)").matcher(fixture.redis.dataSource().execute("INFO", "commandstats").toString());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void postmasterRecipientsCostNoKeyspaceScan() throws Exception {
        int asks = 40;
        long before = scans();
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < asks; i++) {
            // a session each: the refused RCPTs would reach the per-session cap (SessionBudget)
            try (RawSmtp s = RawSmtp.open(inbox.port())) {
                assertThat(s.command("MAIL FROM:<x@example.com>")).startsWith("250");
                // the first user in address order is the postmaster (AccountStore), here alice
                if (s.command("RCPT TO:<postmaster@example.test>").startsWith("250")) {
                    accepted++;
                }
                // a local domain without any user: nobody to deliver to, and still no scan per ask
                if (s.command("RCPT TO:<postmaster@empty.example.test>").startsWith("550")) {
                    refused++;
                }
                assertThat(s.command("RSET")).startsWith("250");
            }
        }
        long scans = scans() - before;
        System.out.printf("postmaster lookups: %d of %d asks answered without a SCAN (%d SCAN calls; %d accepted, %d refused)%n",
                Math.max(0, 2 * asks - scans), 2 * asks, scans, accepted, refused);
        assertThat(accepted).isEqualTo(asks);
        assertThat(refused).isEqualTo(asks);
        assertThat(scans).isZero();

        // accounts stored before the index existed: one walk builds it, then none
        fixture.redis.dataSource().key().del("domain-users:example.test");
        long rebuild = scans();
        assertThat(fixture.store.resolveRecipient("postmaster@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("alice@example.test");
        assertThat(fixture.store.resolveRecipient("postmaster@example.test")).isPresent();
        assertThat(scans() - rebuild).isEqualTo(1);
    }
}
