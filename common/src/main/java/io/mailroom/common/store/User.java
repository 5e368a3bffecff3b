package io.mailroom.common.store;

import io.mailroom.common.address.EmailAddress;

/** A user account: its canonical address and stored record. */
public record User(EmailAddress address, UserRecord record) {
    public boolean disabled() {
        return record.disabled();
    }

    /** The quota in Dovecot's {@code quota_rule} form, e.g. {@code *:storage=1G}, or null for none. */
    public String quotaRule() {
        return record.quotaRule();
    }
}
