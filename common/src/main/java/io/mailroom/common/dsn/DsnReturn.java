package io.mailroom.common.dsn;

/**
 * What of the original message a DSN carries (the {@code RET} parameter of MAIL FROM, RFC 3461
 * §4.3): the full message or only its header ({@code text/rfc822-headers}).
 */
public enum DsnReturn {
    FULL, HDRS;

    /** Parses {@code RET=FULL|HDRS} case-insensitively; null or unknown gives {@link #HDRS}, the default for DSNs that carry no RET. */
    public static DsnReturn parse(String value) {
        return value != null && value.equalsIgnoreCase("FULL") ? FULL : HDRS;
    }
}
