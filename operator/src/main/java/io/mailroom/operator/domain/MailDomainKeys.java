package io.mailroom.operator.domain;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailDomainSpec.DkimAlgorithm;
import io.mailroom.operator.crypto.DkimKeyFactory;
import io.mailroom.operator.crypto.Pem;
import io.mailroom.operator.kube.SecretData;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MailDomain's DKIM keys and its entry in the account store, without the API server: the reconciler
 * keeps the keys in a Secret, {@code ./mailroom deploy} in a file of the same shape.
 */
public final class MailDomainKeys {
    private MailDomainKeys() {}

    /**
     * @param secretData the Secret's data after {@link #ensure} (base64 values, {@code <selector>.key})
     * @param keys       the public side of every selector, for the store and the DNS records
     * @param generated  the selectors made now (an existing key is never replaced)
     */
    public record Keys(Map<String, String> secretData, Map<String, DkimKeyInfo> keys, List<String> generated) {}

    /** The keys of every selector the MailDomain names, generating only those {@code data} does not hold. */
    public static Keys ensure(MailDomain md, Map<String, String> data) {
        Map<String, String> out = new LinkedHashMap<>(data == null ? Map.of() : data);
        Map<String, DkimKeyInfo> keys = new LinkedHashMap<>();
        List<String> generated = new ArrayList<>();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (var e : DkimSecrets.selectorAlgorithms(md.getSpec()).entrySet()) {
            String selector = e.getKey();
            DkimAlgorithm algorithm = e.getValue();
            String keyName = selector + ".key";
            String pem;
            if (out.containsKey(keyName)) {
                pem = SecretData.decode(out.get(keyName));
            } else {
                pem = DkimKeyFactory.generate(selector, algorithm);
                out.put(keyName, SecretData.encode(pem));
                generated.add(selector);
            }
            keys.put(selector, new DkimKeyInfo(selector, algorithm.tag(),
                    DkimKeyFactory.publicKeyValue(Pem.readPrivateKey(pem)), true, now));
        }
        return new Keys(out, keys, generated);
    }

    /** Creates or updates the domain in the store with these keys and DMARC policy; returns what is stored. */
    public static DomainRecord register(AccountStore store, MailDomain md, Map<String, DkimKeyInfo> keys) {
        String domain = md.getSpec().domain;
        String policy = policy(md);
        DomainRecord current = store.domain(domain).orElseGet(() -> store.createDomain(domain));
        List<DkimKeyInfo> dkim = new ArrayList<>();
        for (DkimKeyInfo k : keys.values()) {
            // keep the creation time of a key the store already knows
            DkimKeyInfo existing = current.dkim().stream()
                    .filter(i -> i.selector().equals(k.selector()) && i.publicKey().equals(k.publicKey()))
                    .findFirst().orElse(null);
            dkim.add(existing == null ? k : new DkimKeyInfo(k.selector(), k.algorithm(), k.publicKey(), true,
                    existing.created()));
        }
        DomainRecord desired = current.withDkim(dkim).withDmarcPolicy(policy);
        if (!desired.equals(current)) {
            store.updateDomain(desired);
        }
        return desired;
    }

    /** The DMARC policy the domain publishes: quarantine unless the MailDomain says otherwise. */
    public static String policy(MailDomain md) {
        return md.getSpec().dmarc == null || md.getSpec().dmarc.policy == null ? "quarantine"
                : md.getSpec().dmarc.policy.name();
    }
}
