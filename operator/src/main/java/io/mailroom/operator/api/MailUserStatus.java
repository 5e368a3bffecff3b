package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Never holds the password: only where it is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailUserStatus {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
    /** Canonical address of the account in the store. */
    public String address;
    /** The Secret the password is read from (referenced or generated). */
    public String credentialsSecret;
    /** The MailRoom whose store holds the account: deletion still finds it when the MailDomain is gone. */
    public String mailRoom;
    public List<String> aliases = new ArrayList<>();
}
