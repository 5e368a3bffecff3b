package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailDomainStatus {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
    /** The Secret with the DKIM private keys (one {@code <selector>.key} each). */
    public String dkimSecret;
    /** Every record to publish in the domain's DNS zone. */
    public List<DnsRecord> dnsRecords = new ArrayList<>();
    /** The MTA-STS policy to serve at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}. */
    public String mtaStsPolicy;
}
