package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.store.AccountSnapshot;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.RedisExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The account store's export and import (in common) that backups are made of, on a real Redis. */
class AccountImportIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    static RedisConnections connections;
    static AccountStore old;
    static AccountStore fresh;

    @BeforeAll
    static void connect() {
        connections = RedisConnections.open(redis.uri());
        old = new AccountStore(connections.dataSource(), new StoreSettings(Path.of("/srv/old-mail"), '+', 4));
        fresh = new AccountStore(connections.dataSource(), new StoreSettings(Path.of("/srv/new-mail"), '+', 4));
    }

    @AfterAll
    static void close() {
        connections.close();
    }

    @BeforeEach
    void clean() {
        redis.server().flushAll();
    }

    @Test
    void importIntoAnotherMailRootMovesHomesAndKeepsHashes() {
        old.createDomain("example.test");
        old.createUser("ivy@example.test", "ivy's secret");
        old.createAlias("help@example.test", "ivy@example.test");
        old.setCatchAll("example.test", "ivy@example.test");
        AccountSnapshot snapshot = old.exportAll();
        redis.server().flushAll();
        assertThat(fresh.isEmpty()).isTrue();

        AccountSnapshot.ImportResult r = fresh.importAll(snapshot, false);
        assertThat(r).isEqualTo(new AccountSnapshot.ImportResult(1, 0, 1, 0, 0, 1, 0, 0, 0));
        assertThat(fresh.requireUser("ivy@example.test").record().home()).isEqualTo("/srv/new-mail/example.test/ivy");
        assertThat(fresh.verifyPassword("ivy@example.test", "ivy's secret")).isTrue();
        assertThat(fresh.resolveRecipient("nobody@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("ivy@example.test");
        assertThat(fresh.resolveRecipient("help@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("ivy@example.test");
    }

    @Test
    void importKeepsWhatExistsAndAnAddressIsNeverUserAndAlias() {
        old.createDomain("example.test");
        old.createUser("jo@example.test", "archived secret");
        old.createUser("kim@example.test", "archived secret");
        AccountSnapshot snapshot = old.exportAll();
        redis.server().flushAll();
        fresh.createDomain("example.test");
        fresh.createUser("jo@example.test", "current secret");
        fresh.createUser("lee@example.test", "current secret");
        fresh.createAlias("kim@example.test", "lee@example.test");

        AccountSnapshot.ImportResult r = fresh.importAll(snapshot, true);
        assertThat(r.domainsKept()).isEqualTo(1);
        assertThat(r.usersOverwritten()).isEqualTo(1);
        assertThat(r.usersKept()).as("kim is an alias here").isEqualTo(1);
        assertThat(fresh.verifyPassword("jo@example.test", "archived secret")).isTrue();
        assertThat(fresh.user("kim@example.test")).isEmpty();
        assertThat(fresh.alias("kim@example.test")).isPresent();
    }

    @Test
    void invalidSnapshotWritesNothing() {
        AccountSnapshot bad = new AccountSnapshot("/srv/old-mail",
                List.of(new io.mailroom.common.store.DomainRecord("example.test", List.of(), null, "none", null)),
                List.of(new AccountSnapshot.UserEntry("ok@example.test", new io.mailroom.common.store.UserRecord(
                        "{BLF-CRYPT}$2y$04$abcdefghijklmnopqrstuu", "/srv/old-mail/example.test/ok", "maildir:~/Maildir",
                        null, false, null, null, null))),
                List.of(new AccountSnapshot.AliasEntry("../evil@example.test", "ok@example.test")), List.of());
        assertThatThrownBy(() -> fresh.importAll(bad, false)).isInstanceOf(InvalidInputException.class);
        assertThat(fresh.isEmpty()).isTrue();
    }

    @Test
    void aSnapshotCannotPointAMailboxAnywhereElse() {
        old.createDomain("example.test");
        old.createUser("ivy@example.test", "ivy's secret");
        old.createUser("max@example.test", "max's secret");
        AccountSnapshot good = old.exportAll();
        redis.server().flushAll();
        String hash = good.users().get(0).record().password();
        String[][] forged = {
                {"/etc", "maildir:~/Maildir", null},
                {"/srv/old-mail/../../etc/ivy", "maildir:~/Maildir", null},
                {"/srv/old-mail/example.test", "maildir:~/Maildir", null},
                {"/srv/old-mail/example.test/max", "maildir:~/Maildir", null},
                {"/srv/old-mail/example.test/ivy", "maildir:/srv/new-mail/example.test/max/Maildir", null},
                {"/srv/old-mail/example.test/ivy", "maildir:~/Maildir", "*:storage=1G\nnopassword=y"},
        };
        for (String[] f : forged) {
            AccountSnapshot bad = new AccountSnapshot(good.mailRoot(), good.domains(),
                    List.of(new AccountSnapshot.UserEntry("ivy@example.test", new io.mailroom.common.store.UserRecord(
                            hash, f[0], f[1], f[2], false, null, null, null))),
                    List.of(), List.of());
            assertThatThrownBy(() -> fresh.importAll(bad, false)).as(String.join(" ", java.util.Arrays.toString(f)))
                    .isInstanceOf(InvalidInputException.class);
            assertThat(fresh.isEmpty()).isTrue();
        }
        AccountSnapshot badPolicy = new AccountSnapshot(good.mailRoot(),
                List.of(new io.mailroom.common.store.DomainRecord("example.test", List.of(), null, "accept", null)),
                List.of(), List.of(), List.of());
        assertThatThrownBy(() -> fresh.importAll(badPolicy, false)).isInstanceOf(InvalidInputException.class);
        assertThat(fresh.isEmpty()).isTrue();

        for (var key : List.of(
                new io.mailroom.common.store.DkimKeyInfo("s1\n@ IN TXT \"evil\"", "ed25519-sha256", "AAAA", true, null),
                new io.mailroom.common.store.DkimKeyInfo("../../ca/ca", "ed25519-sha256", "AAAA", true, null),
                new io.mailroom.common.store.DkimKeyInfo("s1", "rsa-sha1", "AAAA", true, null),
                new io.mailroom.common.store.DkimKeyInfo("s1", "ed25519-sha256", "AAAA\"; x=\"", true, null))) {
            AccountSnapshot badKey = new AccountSnapshot(good.mailRoot(),
                    List.of(new io.mailroom.common.store.DomainRecord("example.test", List.of(key), null, "none", null)),
                    List.of(), List.of(), List.of());
            assertThatThrownBy(() -> fresh.importAll(badKey, false)).as(key.toString())
                    .isInstanceOf(InvalidInputException.class);
            assertThat(fresh.isEmpty()).isTrue();
        }

        fresh.importAll(good, false);
        assertThat(fresh.requireUser("max@example.test").record().home()).isEqualTo("/srv/new-mail/example.test/max");
    }
}
