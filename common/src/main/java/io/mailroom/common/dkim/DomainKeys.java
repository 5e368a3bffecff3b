package io.mailroom.common.dkim;

import io.mailroom.common.ConflictException;
import io.mailroom.common.NotFoundException;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/**
 * A domain's DKIM keys kept in both places they live: private keys in the {@link KeyDirectory}
 * (where the Outbox reads them), public keys and selectors in the domain record of the
 * {@link AccountStore}. Every new key set is one RSA-2048 and one Ed25519 key (RFC 8463 advises
 * signing with both while verifiers catch up).
 */
public final class DomainKeys {
    private final AccountStore store;
    private final KeyDirectory keys;
    private final String selectorPrefix;
    private final Clock clock;

    public DomainKeys(AccountStore store, KeyDirectory keys, String selectorPrefix, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.selectorPrefix = selectorPrefix == null ? "" : selectorPrefix;
        this.clock = clock;
    }

    /**
     * Creates the domain with a fresh signing key pair. The record is claimed first, so that a
     * concurrent create can never overwrite the key files of an existing domain.
     */
    public synchronized DomainRecord createDomain(String name, String dmarcPolicy) {
        DomainRecord created = store.createDomain(name);
        try {
            DomainRecord withKeys = created.withDkim(
                    generate(created.name(), List.of()).stream().map(DkimKeys.GeneratedKey::info).toList());
            if (dmarcPolicy != null && !dmarcPolicy.isBlank()) {
                withKeys = withKeys.withDmarcPolicy(dmarcPolicy.strip().toLowerCase(java.util.Locale.ROOT));
            }
            return store.updateDomain(withKeys);
        } catch (RuntimeException e) {
            store.deleteDomain(created.name());
            throw e;
        }
    }

    /**
     * Rotation: a new key pair under new selectors signs from now on; the previous selectors stay
     * published with {@code signing=false} so that mail signed before the switch still verifies.
     */
    public synchronized DomainRecord rotate(String domain) {
        DomainRecord d = store.requireDomain(domain);
        List<DkimKeys.GeneratedKey> fresh = generate(d.name(), d.dkim().stream().map(DkimKeyInfo::selector).toList());
        List<DkimKeyInfo> all = new ArrayList<>();
        d.dkim().forEach(k -> all.add(k.retired()));
        fresh.forEach(k -> all.add(k.info()));
        return store.updateDomain(d.withDkim(all));
    }

    /** Withdraws a retired selector: its record and its private key file go away. Signing keys cannot be removed. */
    public synchronized DomainRecord removeSelector(String domain, String selector) {
        DomainRecord d = store.requireDomain(domain);
        DkimKeyInfo key = d.dkim().stream().filter(k -> k.selector().equals(selector)).findFirst()
                .orElseThrow(() -> new NotFoundException("domain " + d.name() + " has no DKIM selector " + selector));
        if (key.signing()) {
            throw new ConflictException("selector " + selector + " still signs mail; rotate first");
        }
        DomainRecord updated = store.updateDomain(d.withDkim(d.dkim().stream().filter(k -> k != key).toList()));
        keys.delete(keys.dkimKey(d.name(), selector));
        return updated;
    }

    /** Deletes the domain (refused while it has users or aliases) and then its key files. */
    public synchronized void deleteDomain(String domain) {
        DomainRecord d = store.requireDomain(domain);
        store.deleteDomain(d.name());
        for (DkimKeyInfo k : d.dkim()) {
            keys.delete(keys.dkimKey(d.name(), k.selector()));
        }
    }

    private List<DkimKeys.GeneratedKey> generate(String domain, List<String> taken) {
        String[] selectors = DkimKeys.selectors(selectorPrefix, YearMonth.now(clock), taken);
        List<DkimKeys.GeneratedKey> fresh = List.of(DkimKeys.rsa(selectors[0]), DkimKeys.ed25519(selectors[1]));
        for (DkimKeys.GeneratedKey k : fresh) {
            keys.write(keys.dkimKey(domain, k.info().selector()), k.privateKeyPem());
        }
        return fresh;
    }
}
