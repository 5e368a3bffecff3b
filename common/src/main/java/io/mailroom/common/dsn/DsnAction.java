package io.mailroom.common.dsn;

import java.util.Locale;

/** The {@code Action} field of a per-recipient DSN block (RFC 3464 §2.3.3). */
public enum DsnAction {
    FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED;

    /** The field value, e.g. {@code failed}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
