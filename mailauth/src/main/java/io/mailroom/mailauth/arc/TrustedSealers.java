package io.mailroom.mailauth.arc;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ARC sealers whose word a receiver takes (RFC 8617 §7.2: what a valid chain is worth is
 * local policy). Anyone can seal a message with a key in their own DNS, so a valid chain alone
 * proves only that the last sealer handled it; only a sealer on this list may excuse a DMARC
 * failure (RFC 7960 forwarding). Empty by default: no sealer is trusted.
 */
public final class TrustedSealers {
    private static final TrustedSealers NONE = new TrustedSealers(Set.of());

    private final Set<String> domains;

    private TrustedSealers(Set<String> domains) {
        this.domains = domains;
    }

    public static TrustedSealers none() {
        return NONE;
    }

    /** Sealer domains (the d= of an ARC-Seal), compared without case and trailing dot. */
    public static TrustedSealers of(Collection<String> domains) {
        return new TrustedSealers(domains.stream().map(TrustedSealers::normalize).filter(d -> !d.isEmpty())
                .collect(Collectors.toUnmodifiableSet()));
    }

    /**
     * True when the chain validated and its newest seal, the one added by the host that handed
     * the message to us, is from a trusted sealer (RFC 8617 §5.2: cv=pass vouches for the whole
     * chain only as far as we trust its last signer).
     */
    public boolean vouchFor(ArcVerifier.Result chain) {
        return chain.status() == ArcVerifier.Status.PASS && chain.sealDomain() != null
                && domains.contains(normalize(chain.sealDomain()));
    }

    public boolean isEmpty() {
        return domains.isEmpty();
    }

    public Set<String> domains() {
        return domains;
    }

    private static String normalize(String d) {
        String s = d.trim().toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
