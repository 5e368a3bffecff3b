package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClientCertificateSpec {
    @Required
    @Pattern(Patterns.ADDRESS)
    @JsonPropertyDescription("Address of the user the certificate is for")
    public String user;

    @Min(1)
    @Max(825)
    @JsonPropertyDescription("Validity in days (default 365)")
    public Integer validityDays;

    @Required
    @Pattern(Patterns.DNS_LABEL_NAME)
    @JsonPropertyDescription("Secret to write: tls.crt, tls.key, ca.crt, keystore.p12 and keystore-password")
    public String secretName;

    @Pattern(Patterns.DNS_LABEL_NAME)
    @JsonPropertyDescription("MailRoom whose CA issues it; the MailRoom of the user's MailDomain when empty")
    public String mailRoom;
}
