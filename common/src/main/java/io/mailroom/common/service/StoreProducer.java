package io.mailroom.common.service;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.StoreSettings;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * CDI producers shared by the Quarkus services: the account store on the service's Redis
 * ({@code quarkus.redis.hosts}) and the key directory. Configuration:
 * {@code mailroom.mail-root} (env {@code MAILROOM_MAIL_ROOT}), {@code mailroom.key-dir}
 * ({@code MAILROOM_KEY_DIR}), {@code mailroom.bcrypt-cost}, {@code mailroom.subaddress-delimiter}.
 */
@ApplicationScoped
public class StoreProducer {
    @Produces
    @Singleton
    AccountStore accountStore(RedisDataSource redis,
            @ConfigProperty(name = "mailroom.mail-root", defaultValue = "/var/mail") String mailRoot,
            @ConfigProperty(name = "mailroom.bcrypt-cost", defaultValue = "10") int bcryptCost,
            @ConfigProperty(name = "mailroom.subaddress-delimiter", defaultValue = "+") char delimiter) {
        return new AccountStore(redis, new StoreSettings(Path.of(mailRoot), delimiter, bcryptCost));
    }

    @Produces
    @Singleton
    KeyDirectory keyDirectory(@ConfigProperty(name = "mailroom.key-dir", defaultValue = "/etc/mailroom/keys") String dir) {
        return new KeyDirectory(Path.of(dir));
    }
}
