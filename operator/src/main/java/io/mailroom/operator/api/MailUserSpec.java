package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.address == oldSelf.address", message = "address is immutable")
public class MailUserSpec {
    @Required
    @Pattern(Patterns.ADDRESS)
    @JsonPropertyDescription("The account's address; its domain must be a MailDomain of the namespace")
    public String address;

    @JsonPropertyDescription("Secret key holding the password; when absent one is generated into <name>-credentials")
    public SecretKeyRef passwordSecretRef;

    @JsonPropertyDescription("More addresses (same installation) that deliver to this account and it may send as")
    public List<@Pattern(Patterns.ADDRESS) String> aliases;

    @Pattern("^[0-9]+[kKmMgGtT]?$")
    @JsonPropertyDescription("Storage quota, e.g. 500M or 2G; unlimited when empty")
    public String quota;

    @JsonPropertyDescription("A disabled account cannot log in or send; mail to it is still accepted")
    public Boolean disabled;

    @Pattern(Patterns.DNS_LABEL_NAME)
    @JsonPropertyDescription("MailRoom of the account; the MailRoom of the address's MailDomain when empty")
    public String mailRoom;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretKeyRef {
        @Required
        @Pattern(Patterns.DNS_LABEL_NAME)
        public String name;

        @JsonPropertyDescription("Key in the Secret (default 'password')")
        public String key;
    }
}
