package io.mailroom.outbox;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DomainRecord;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Domain records for the hot paths (DKIM selectors at every submission, "is this domain local?"
 * at every delivery) kept for a few seconds, so that Redis sees one lookup per domain and period
 * instead of one per message. Changes in the store take effect within {@code ttlMillis}.
 */
public final class DomainCache {
    private record Entry(Optional<DomainRecord> record, long expires) {}

    private final AccountStore store;
    private final long ttlMillis;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public DomainCache(AccountStore store, long ttlMillis) {
        this.store = store;
        this.ttlMillis = ttlMillis;
    }

    public Optional<DomainRecord> domain(String name) {
        String key = name.toLowerCase(java.util.Locale.ROOT);
        long now = System.currentTimeMillis();
        Entry e = entries.get(key);
        if (e == null || e.expires() < now) {
            Optional<DomainRecord> r;
            try {
                r = store.domain(key);
            } catch (io.mailroom.common.InvalidInputException ex) {
                r = Optional.empty();
            }
            e = new Entry(r, now + ttlMillis);
            if (entries.size() > 10_000) {
                entries.clear();
            }
            entries.put(key, e);
        }
        return e.record();
    }

    public boolean isLocal(String name) {
        return domain(name).isPresent();
    }
}
