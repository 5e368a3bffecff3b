package io.mailroom.common.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The value of {@code user:<address>}: exactly the fields Dovecot's dict passdb/userdb reads
 * ({@code password}, {@code home}, {@code mail}, {@code quota_rule}, and {@code nologin}/{@code reason}
 * that make Dovecot refuse a disabled account), plus {@code disabled} for our own services.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record UserRecord(
        @JsonProperty("password") String password,
        @JsonProperty("home") String home,
        @JsonProperty("mail") String mail,
        @JsonProperty("quota_rule") String quotaRule,
        @JsonProperty("disabled") boolean disabled,
        @JsonProperty("nologin") String nologin,
        @JsonProperty("reason") String reason,
        @JsonProperty("created") String created) {

    static final String DISABLED_REASON = "account disabled";

    public UserRecord withPassword(String hash) {
        return new UserRecord(hash, home, mail, quotaRule, disabled, nologin, reason, created);
    }

    public UserRecord withDisabled(boolean off) {
        return new UserRecord(password, home, mail, quotaRule, off, off ? "y" : null, off ? DISABLED_REASON : null,
                created);
    }

    public UserRecord withQuotaRule(String rule) {
        return new UserRecord(password, home, mail, rule, disabled, nologin, reason, created);
    }

    public UserRecord withHome(String newHome) {
        return new UserRecord(password, newHome, mail, quotaRule, disabled, nologin, reason, created);
    }
}
