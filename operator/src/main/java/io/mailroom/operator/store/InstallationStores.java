package io.mailroom.operator.store;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.mailroom.MailRoomNames;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The account store of each installation, reached through the installation's Redis Service
 * ({@code redis://<name>-redis.<namespace>.svc:6379}) or, when configured, one override address.
 * Connections are opened on first use and kept.
 */
public class InstallationStores implements AutoCloseable {
    private final OperatorSettings settings;
    private final Map<String, RedisConnections> connections = new ConcurrentHashMap<>();
    private final Map<String, AccountStore> stores = new ConcurrentHashMap<>();

    public InstallationStores(OperatorSettings settings) {
        this.settings = settings;
    }

    /** Where the operator finds the Redis of the MailRoom {@code name} in {@code namespace}. */
    public String redisUri(String namespace, String name) {
        return settings.redisUriOverride()
                .orElse("redis://" + MailRoomNames.of(name).redis() + "." + namespace + ".svc:6379");
    }

    public AccountStore store(String namespace, String mailRoom) {
        String uri = redisUri(namespace, mailRoom);
        return stores.computeIfAbsent(uri, u -> {
            RedisConnections c = connections.computeIfAbsent(u, RedisConnections::open);
            return new AccountStore(c.dataSource(),
                    new StoreSettings(settings.mailRoot(), '+', settings.bcryptCost()));
        });
    }

    @Override
    public void close() {
        connections.values().forEach(RedisConnections::close);
        connections.clear();
        stores.clear();
    }
}
