package io.mailroom.common.dkim;

import io.mailroom.common.MailRoomException;
import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.common.store.DkimKeyInfo;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;

/**
 * DKIM key pairs (RFC 6376 RSA, RFC 8463 Ed25519): the private key as PKCS#8 PEM for the key
 * directory, and the public key in the form of the DNS record's {@code p=} tag.
 */
public final class DkimKeys {
    public static final int RSA_BITS = 2048;

    /** A new key: what goes into the domain record, and the private key that goes into the key directory. */
    public record GeneratedKey(DkimKeyInfo info, String privateKeyPem) {}

    private DkimKeys() {}

    public static GeneratedKey rsa(String selector) {
        return generate(selector, "RSA", DkimKeyInfo.RSA_SHA256);
    }

    public static GeneratedKey ed25519(String selector) {
        return generate(selector, "Ed25519", DkimKeyInfo.ED25519_SHA256);
    }

    private static GeneratedKey generate(String selector, String keyAlgorithm, String dkimAlgorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(keyAlgorithm);
            if ("RSA".equals(keyAlgorithm)) {
                g.initialize(RSA_BITS);
            }
            KeyPair kp = g.generateKeyPair();
            DkimKeyInfo info = new DkimKeyInfo(selector, dkimAlgorithm, publicKeyValue(kp.getPublic()), true,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            return new GeneratedKey(info, ClientCertificateAuthority.pkcs8Pem(kp.getPrivate()));
        } catch (GeneralSecurityException e) {
            throw new MailRoomException("cannot generate a " + keyAlgorithm + " key: " + e.getMessage(), e);
        }
    }

    /**
     * The {@code p=} value: base64 of the SubjectPublicKeyInfo for RSA (RFC 6376 3.6.1), of the raw
     * 32-byte key for Ed25519 (RFC 8463 4.2).
     */
    public static String publicKeyValue(PublicKey key) {
        byte[] spki = key.getEncoded();
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            // the SubjectPublicKeyInfo of Ed25519 is a fixed 12-byte header followed by the raw key
            return Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
        }
        return Base64.getEncoder().encodeToString(spki);
    }

    /**
     * Selectors for a new pair of keys: {@code <prefix>r<yyyymm>} and {@code <prefix>e<yyyymm>}; when
     * one of them is taken (a second rotation in a month), {@code -2}, {@code -3}... is appended to both.
     */
    public static String[] selectors(String prefix, YearMonth month, Collection<String> taken) {
        String p = prefix == null ? "" : prefix.strip().toLowerCase(java.util.Locale.ROOT);
        String stamp = String.format("%04d%02d", month.getYear(), month.getMonthValue());
        String rsa = p + "r" + stamp;
        String ed = p + "e" + stamp;
        for (int n = 2; taken.contains(rsa) || taken.contains(ed); n++) {
            rsa = p + "r" + stamp + "-" + n;
            ed = p + "e" + stamp + "-" + n;
        }
        return new String[] {rsa, ed};
    }
}
