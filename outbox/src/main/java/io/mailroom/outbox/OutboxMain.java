package io.mailroom.outbox;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import java.nio.file.Path;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Runs the Outbox without Quarkus (system properties / environment as configuration): used by the
 * crash test, which needs a process it can kill -9, and by the benchmark.
 */
public final class OutboxMain {
    private OutboxMain() {}

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (Exception | Error e) {
            // exit, so that whoever started the process sees it fail instead of waiting for READY
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        Config c = ConfigProvider.getConfig();
        OutboxSettings s = OutboxSettings.from(c);
        RedisConnections redis = RedisConnections.open(c.getOptionalValue("mailroom.redis.uri", String.class)
                .orElse("redis://127.0.0.1:6380"));
        AccountStore store = new AccountStore(redis.dataSource(), new StoreSettings(
                Path.of(c.getOptionalValue("mailroom.mail-root", String.class).orElse("/var/mail")), '+', 10));
        // one Redis call before the workers start: outside Quarkus, SmallRye's context manager is set
        // up lazily by the first call, and 32 workers making their first call at once race on it
        // ("ContextManagerProvider already set"), which failed those attempts for a minute
        redis.dataSource().execute("PING");
        KeyDirectory keys = new KeyDirectory(Path.of(c.getOptionalValue("mailroom.key-dir", String.class).orElse("keys")));
        Outbox outbox = new Outbox(s, store, keys, DnsjavaResolver.builder().server(s.dnsHost(), s.dnsPort()).build());
        System.out.println("READY " + outbox.submissionPort() + " " + outbox.submissionsPort() + " " + outbox.adminPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                outbox.close();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        Thread.currentThread().join();
    }
}
