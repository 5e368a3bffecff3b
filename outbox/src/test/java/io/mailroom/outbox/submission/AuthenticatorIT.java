package io.mailroom.outbox.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.RedisExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Logins against the real store: the verified-credentials cache follows the stored hash; throttling. */
class AuthenticatorIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @Test
    void cachedLoginsFollowPasswordChangesAndDisablingAndFailuresAreThrottled() {
        try (RedisConnections rc = RedisConnections.open(redis.uri())) {
            AccountStore store = new AccountStore(rc.dataSource(), new StoreSettings(Path.of("/tmp/mail"), '+', 10));
            store.createDomain("example.test");
            store.createUser("carol@example.test", "first password");
            Authenticator auth = new Authenticator(store, 100, 5, 50, 60_000);

            long t0 = System.nanoTime();
            assertThat(auth.login("carol@example.test", "first password", "127.0.0.1")).isEqualTo(Authenticator.Result.OK);
            long first = System.nanoTime() - t0;
            t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(auth.login("Carol@example.test", "first password", "127.0.0.1")).isEqualTo(Authenticator.Result.OK);
            }
            long twentyCached = System.nanoTime() - t0;
            // bcrypt at cost 10 takes tens of ms; twenty cached logins together cost less than one check
            assertThat(twentyCached).isLessThan(first);

            store.setPassword("carol@example.test", "second password");
            assertThat(auth.login("carol@example.test", "first password", "127.0.0.1")).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
            assertThat(auth.login("carol@example.test", "second password", "127.0.0.1")).isEqualTo(Authenticator.Result.OK);
            store.setDisabled("carol@example.test", true);
            assertThat(auth.login("carol@example.test", "second password", "127.0.0.1")).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
            store.setDisabled("carol@example.test", false);

            // two failures above (old password, disabled account), three more here: the limit of 5
            for (int i = 0; i < 3; i++) {
                assertThat(auth.login("carol@example.test", "guess " + i, "127.0.0.2")).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
            }
            // even the right password, from another address, waits now
            assertThat(auth.login("carol@example.test", "second password", "127.0.0.3")).isEqualTo(Authenticator.Result.THROTTLED);
            assertThat(auth.login("nobody@example.test", "x", "127.0.0.3")).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
        }
    }

    @Test
    void spellingsOfOneAccountShareItsFailureCounter() {
        try (RedisConnections rc = RedisConnections.open(redis.uri())) {
            AccountStore store = new AccountStore(rc.dataSource(), new StoreSettings(Path.of("/tmp/mail"), '+', 4));
            store.createDomain("spelling.test");
            store.createUser("dora@spelling.test", "right password");
            Authenticator auth = new Authenticator(store, 100, 3, 50, 60_000);
            // three guesses, each under another name of the same account
            for (String name : java.util.List.of("<dora@spelling.test>", "dora@spelling.test.", "DORA@Spelling.Test")) {
                assertThat(auth.login(name, "guess", "127.0.0.4")).as(name).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
            }
            assertThat(auth.login("dora@spelling.test", "right password", "127.0.0.5")).isEqualTo(Authenticator.Result.THROTTLED);
            assertThat(Authenticator.account(" <Dora@Spelling.Test.> ")).isEqualTo("dora@spelling.test");
        }
    }

    @Test
    void aRefusalTakesAsLongForAnUnknownOrDisabledAccountAsForAWrongPassword() {
        try (RedisConnections rc = RedisConnections.open(redis.uri())) {
            // cost 10, the production default: a bcrypt takes tens of milliseconds, a Redis lookup well under one
            AccountStore store = new AccountStore(rc.dataSource(), new StoreSettings(Path.of("/tmp/mail"), '+', 10));
            store.createDomain("timing.test");
            store.createUser("kai@timing.test", "correct horse");
            store.createUser("jan@timing.test", "correct horse");
            store.setDisabled("jan@timing.test", true);
            Authenticator auth = new Authenticator(store, 100, 1000, 1000, 60_000);
            auth.login("nobody@timing.test", "warm up", "127.0.0.9");
            auth.login("kai@timing.test", "warm up", "127.0.0.9");
            long wrongPassword = medianNanos(() -> auth.login("kai@timing.test", "wrong horse", "127.0.0.9"));
            long unknown = medianNanos(() -> auth.login("nobody@timing.test", "wrong horse", "127.0.0.9"));
            long disabled = medianNanos(() -> auth.login("jan@timing.test", "correct horse", "127.0.0.9"));
            assertThat(unknown).as("unknown address vs wrong password (ns)").isGreaterThan(wrongPassword / 4);
            assertThat(disabled).as("disabled account vs wrong password (ns)").isGreaterThan(wrongPassword / 4);
            assertThat(auth.login("kai@timing.test", "correct horse", "127.0.0.9")).isEqualTo(Authenticator.Result.OK);
            assertThat(auth.login("nobody@timing.test", "correct horse", "127.0.0.9")).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
            assertThat(auth.login("jan@timing.test", "correct horse", "127.0.0.9")).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
        }
    }

    private static long medianNanos(java.util.function.Supplier<Authenticator.Result> login) {
        long[] t = new long[5];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            assertThat(login.get()).isEqualTo(Authenticator.Result.BAD_CREDENTIALS);
            t[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    @Test
    void sendRateLimitCountsPerUserInItsWindow() throws Exception {
        SendLimits limits = new SendLimits(2, 300);
        assertThat(limits.allowed("a")).isTrue();
        limits.record("a");
        limits.record("a");
        assertThat(limits.allowed("a")).isFalse();
        assertThat(limits.allowed("b")).isTrue();
        Thread.sleep(350);
        assertThat(limits.allowed("a")).isTrue();
    }
}
