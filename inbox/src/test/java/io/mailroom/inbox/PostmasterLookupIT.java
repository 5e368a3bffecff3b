package io.mailroom.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.DovecotExtension;
import java.net.InetAddress;
import java.time.Duration;
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

    static RedisConnections redis;
    static AccountStore store;
    static InboxServer inbox;

    @BeforeAll
    static void start() {
        redis = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        DeliveryLedger ledger = new DeliveryLedger(redis.dataSource(), Duration.ofDays(1));
        SmtpServerSettings smtp = SmtpServerSettings.builder().hostName("mx.example.test").softwareName("Mail Room")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).build();
        inbox = new InboxServer(new InboxPipeline(InboxSettings.plain(smtp, "127.0.0.1", mail.dovecot().lmtpPort()),
                store, ledger, null, null)).start();
    }

    @AfterAll
    static void stop() {
        if (inbox != null) {
            inbox.close();
        }
        redis.close();
    }

    @BeforeEach
    void accounts() throws Exception {
        mail.redis().flushAll();
        TestMail.deleteMailboxes(mail.dovecot().mailRoot());
        store.createDomain("example.test");
        store.createDomain("empty.example.test");
        store.createUser("bob@example.test", "bob-password");
        store.createUser("alice@example.test", "alice-password");
    }

    private static long scans() {
        Matcher m = Pattern.compile("cmdstat_scan:calls=(\\d+)").matcher(redis.dataSource().execute("INFO", "commandstats").toString());
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
        redis.dataSource().key().del("domain-users:example.test");
        long rebuild = scans();
        assertThat(store.resolveRecipient("postmaster@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("alice@example.test");
        assertThat(store.resolveRecipient("postmaster@example.test")).isPresent();
        assertThat(scans() - rebuild).isEqualTo(1);
    }
}
