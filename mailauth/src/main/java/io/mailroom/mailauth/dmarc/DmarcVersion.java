package io.mailroom.mailauth.dmarc;

import java.util.Locale;

/**
 * Which DMARC specification the evaluator follows. The two differ in how the organizational
 * domain is found and in a few tags; a receiver chooses one (the Inbox's
 * {@code mailroom.inbox.dmarc-version}).
 */
public enum DmarcVersion {
    /**
     * RFC 7489: the organizational domain from the Public Suffix List (§3.2), {@code pct}
     * sampling (§6.6.4); {@code np}, {@code t} and {@code psd} are unknown tags.
     */
    RFC7489,
    /**
     * RFC 9989 (DMARCbis, obsoletes RFC 7489): the DNS Tree Walk (§4.10) instead of the Public
     * Suffix List, {@code np} for non-existent subdomains, {@code t=y} test mode, {@code psd};
     * {@code pct}, {@code rf} and {@code ri} are ignored. The default.
     */
    RFC9989;

    public static final DmarcVersion DEFAULT = RFC9989;

    /** "rfc9989", "9989", "RFC7489" ... */
    public static DmarcVersion parse(String s) {
        String v = s.strip().toUpperCase(Locale.ROOT);
        for (DmarcVersion d : values()) {
            if (d.name().equals(v) || d.name().equals("RFC" + v)) {
                return d;
            }
        }
        throw new IllegalArgumentException("DMARC version must be rfc9989 or rfc7489, not '" + s + "'");
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
