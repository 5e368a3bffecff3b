package io.mailroom.common.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.value.ValueCommands;
import java.time.Duration;

/**
 * Remembers, for a few days, which recipients already received a message (by digest of the
 * message as the client sent it). The Inbox answers 451 when Dovecot accepted a message for
 * only some recipients; when the sender retries, the ledger keeps the others from getting it twice.
 */
public class DeliveryLedger {
    private final ValueCommands<String, String> values;
    private final KeyCommands<String> keys;
    private final Duration ttl;

    public DeliveryLedger(RedisDataSource redis, Duration ttl) {
        this.values = redis.value(String.class);
        this.keys = redis.key();
        this.ttl = ttl;
    }

    public void recordDelivered(String messageDigest, String recipient) {
        values.setex(RedisKeys.delivered(messageDigest, recipient), ttl.toSeconds(), "1");
    }

    public boolean alreadyDelivered(String messageDigest, String recipient) {
        return keys.exists(RedisKeys.delivered(messageDigest, recipient));
    }
}
