package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.domain == oldSelf.domain", message = "domain is immutable")
public class MailDomainSpec {
    @Required
    @Pattern(Patterns.HOSTNAME)
    @JsonPropertyDescription("The domain, lower case, e.g. example.com")
    public String domain;

    @Required
    @Pattern(Patterns.DNS_LABEL_NAME)
    @JsonPropertyDescription("Name of the MailRoom (same namespace) that serves the domain")
    public String mailRoom;

    public DkimSpec dkim;

    public DmarcSpec dmarc;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DkimSpec {
        @Pattern(Patterns.SELECTOR)
        @JsonPropertyDescription("DKIM selector (default 'mail'); a second algorithm gets '<selector>-<rsa|ed25519>'")
        public String selector;

        @Size(min = 1, max = 2)
        @JsonPropertyDescription("Signing algorithms (default both, as the Controller creates them)")
        public List<DkimAlgorithm> algorithms;
    }

    public enum DkimAlgorithm {
        @com.fasterxml.jackson.annotation.JsonProperty("rsa-sha256") RSA_SHA256,
        @com.fasterxml.jackson.annotation.JsonProperty("ed25519-sha256") ED25519_SHA256;

        public String tag() {
            return this == RSA_SHA256 ? "rsa-sha256" : "ed25519-sha256";
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DmarcSpec {
        @JsonPropertyDescription("Published DMARC policy (default quarantine); reports go to postmaster@<domain>")
        public DmarcPolicy policy;
    }

    public enum DmarcPolicy { none, quarantine, reject }
}
