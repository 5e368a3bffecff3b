package io.mailroom.common.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The value of {@code domain:<name>}: DKIM selectors, the catch-all target and the policy.
 *
 * @param catchAll local user that receives mail for unknown addresses of the domain, or null
 * @param dmarcPolicy the DMARC policy published for the domain ({@code none}, {@code quarantine}, {@code reject})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DomainRecord(String name, List<DkimKeyInfo> dkim, String catchAll, String dmarcPolicy, String created) {
    public DomainRecord {
        dkim = dkim == null ? List.of() : List.copyOf(dkim);
    }

    public DomainRecord withDkim(List<DkimKeyInfo> keys) {
        return new DomainRecord(name, keys, catchAll, dmarcPolicy, created);
    }

    public DomainRecord withCatchAll(String target) {
        return new DomainRecord(name, dkim, target, dmarcPolicy, created);
    }

    public DomainRecord withDmarcPolicy(String policy) {
        return new DomainRecord(name, dkim, catchAll, policy, created);
    }

    /** The selectors the Outbox signs with. */
    public List<DkimKeyInfo> signingKeys() {
        return dkim.stream().filter(DkimKeyInfo::signing).toList();
    }
}
