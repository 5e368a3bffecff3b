package io.mailroom.outbox.delivery;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * DANE for SMTP (RFC 7672, RFC 7671): does a server's certificate chain match its TLSA records?
 * Only DANE-EE(3) and DANE-TA(2) are usable for SMTP (RFC 7672 §3.1.3): DANE-EE matches the
 * leaf (no name or expiry checks), DANE-TA matches a certificate of the presented chain that
 * must then sign the chain down to the leaf. Selector 0 is the whole certificate, 1 its
 * SubjectPublicKeyInfo; matching type 0 is exact, 1 SHA-256, 2 SHA-512.
 *
 * <p>Only records from a DNSSEC-validated answer (AD bit from a validating resolver) may be used;
 * the mailauth resolver does not yet return TLSA records or the AD bit, so the Outbox does not
 * look TLSA records up yet and this matcher is tested on its own.
 */
public final class TlsaMatcher {
    /** One TLSA record. */
    public record Tlsa(int usage, int selector, int matchingType, byte[] data) {}

    private TlsaMatcher() {}

    /** True when some usable record matches the chain (leaf first). */
    public static boolean matches(List<Tlsa> records, List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return false;
        }
        for (Tlsa t : records) {
            if (t.usage() == 3 && matches(t, chain.get(0))) {
                return true;
            }
            if (t.usage() == 2) {
                for (int i = 0; i < chain.size(); i++) {
                    if (matches(t, chain.get(i)) && signsDown(chain, i)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The chain from index {@code ta} down to the leaf is correctly signed. */
    private static boolean signsDown(List<X509Certificate> chain, int ta) {
        try {
            for (int i = ta; i > 0; i--) {
                chain.get(i - 1).verify(chain.get(i).getPublicKey());
            }
            if (ta == 0) {
                return false; // a trust anchor must issue the server certificate, not be it
            }
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean matches(Tlsa t, X509Certificate cert) {
        try {
            byte[] selected = switch (t.selector()) {
                case 0 -> cert.getEncoded();
                case 1 -> cert.getPublicKey().getEncoded();
                default -> null;
            };
            if (selected == null) {
                return false;
            }
            byte[] value = switch (t.matchingType()) {
                case 0 -> selected;
                case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
                case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
                default -> null;
            };
            return value != null && MessageDigest.isEqual(value, t.data());
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            return false;
        }
    }

    /** Parses the hex data of a TLSA record presentation ({@code 3 1 1 ab12...}). */
    public static Tlsa parse(String presentation) {
        String[] p = presentation.trim().split("\\s+", 4);
        if (p.length != 4) {
            throw new IllegalArgumentException("bad TLSA record");
        }
        return new Tlsa(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                java.util.HexFormat.of().parseHex(p[3].replace(" ", "")));
    }
}
