package io.mailroom.common.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import java.time.Duration;
import java.util.Optional;

/**
 * Caches what the Inbox learned about a client address from DNS — its DNSBL listings and its
 * forward-confirmed reverse name — so that every Inbox replica shares the answers and a busy
 * sender does not cost a DNS round trip per connection. Values expire with the given TTL.
 */
public class ClientReputationCache {
    private final ValueCommands<String, String> values;
    private final Duration ttl;

    public ClientReputationCache(RedisDataSource redis, Duration ttl) {
        this.values = redis.value(String.class);
        this.ttl = ttl;
    }

    /** The cached DNSBL answer for an address in a zone: "listed" or "clean". */
    public Optional<String> dnsbl(String zone, String ip) {
        return Optional.ofNullable(values.get(RedisKeys.dnsbl(zone, ip)));
    }

    public void putDnsbl(String zone, String ip, String verdict) {
        values.setex(RedisKeys.dnsbl(zone, ip), ttl.toSeconds(), verdict);
    }

    /** The cached forward-confirmed reverse name ("" when there is none). */
    public Optional<String> reverseName(String ip) {
        return Optional.ofNullable(values.get(RedisKeys.rdns(ip)));
    }

    public void putReverseName(String ip, String name) {
        values.setex(RedisKeys.rdns(ip), ttl.toSeconds(), name);
    }
}
