package io.mailroom.common.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Dovecot killed like a crash starts again on the same ports and serves the same accounts. */
class DovecotRestartIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @Test
    void startsAgainAfterKill() {
        try (RedisConnections redis = RedisConnections.open(mail.redis().uri())) {
            AccountStore store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
            store.createDomain("example.test");
            store.createUser("ivan@example.test", "correct horse");
        }
        int imap = mail.dovecot().imapPort();
        mail.dovecot().kill();
        assertThat(mail.dovecot().isRunning()).isFalse();
        mail.dovecot().start();
        assertThat(mail.dovecot().imapPort()).isEqualTo(imap);
        assertThat(ImapMailbox.canLogin(imap, "ivan@example.test", "correct horse")).isTrue();
    }
}
