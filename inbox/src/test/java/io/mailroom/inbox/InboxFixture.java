package io.mailroom.inbox;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.UnboundExtension;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the Inbox integration tests share: the account store and delivery ledger on the test's
 * real Redis, a port-25 listener on loopback in front of its real Dovecot, and the servers a test
 * class starts (closed together). Open it in {@code @BeforeAll}, close it in {@code @AfterAll}.
 */
final class InboxFixture implements AutoCloseable {
    final DovecotExtension mail;
    final RedisConnections redis;
    final AccountStore store;
    final DeliveryLedger ledger;
    private final List<InboxServer> servers = new ArrayList<>();

    private InboxFixture(DovecotExtension mail) {
        this.mail = mail;
        this.redis = RedisConnections.open(mail.redis().uri());
        this.store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        this.ledger = new DeliveryLedger(redis.dataSource(), Duration.ofDays(1));
    }

    static InboxFixture open(DovecotExtension mail) {
        return new InboxFixture(mail);
    }

    /** The listener settings every test uses: loopback, a free port, no TLS. */
    static SmtpServerSettings.Builder smtp(String hostName) {
        return SmtpServerSettings.builder().hostName(hostName).softwareName("Mail Room")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0);
    }

    /** All checks off, delivering to this fixture's Dovecot. */
    InboxSettings plain(String hostName) {
        return InboxSettings.plain(smtp(hostName).build(), "127.0.0.1", mail.dovecot().lmtpPort());
    }

    /** The service's default authentication policies (InboxConfig): SPF enforce, DKIM tag, ARC tag, DMARC enforce. */
    InboxSettings defaults(String hostName) {
        return plain(hostName).withAuth(CheckPolicy.ENFORCE, CheckPolicy.TAG, CheckPolicy.TAG, CheckPolicy.ENFORCE);
    }

    /** A resolver on the test's Unbound (answers only from its local zones). */
    static DnsjavaResolver resolver(UnboundExtension dns) {
        return DnsjavaResolver.builder().server("127.0.0.1", dns.port()).timeout(Duration.ofSeconds(2)).build();
    }

    static MailAuthentication auth(UnboundExtension dns, String authservId) {
        return new MailAuthentication(resolver(dns), authservId);
    }

    InboxPipeline pipeline(InboxSettings settings, MailAuthentication auth) {
        return new InboxPipeline(settings, store, ledger, auth, null);
    }

    InboxServer start(InboxSettings settings, MailAuthentication auth) {
        return start(pipeline(settings, auth));
    }

    InboxServer start(InboxPipeline pipeline) {
        InboxServer s = new InboxServer(pipeline).start();
        servers.add(s);
        return s;
    }

    /** Empty Redis and mailboxes, then {@code domain} and each user with the password {@code <local part>-password}. */
    void accounts(String domain, String... users) throws Exception {
        mail.redis().flushAll();
        TestMail.deleteMailboxes(mail.dovecot().mailRoot());
        store.createDomain(domain);
        for (String u : users) {
            store.createUser(u, password(u));
        }
    }

    static String password(String address) {
        return address.substring(0, address.indexOf('@')) + "-password";
    }

    @Override
    public void close() {
        servers.forEach(InboxServer::close);
        redis.close();
    }
}
