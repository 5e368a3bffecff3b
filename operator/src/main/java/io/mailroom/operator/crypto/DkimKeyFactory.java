package io.mailroom.operator.crypto;

import io.mailroom.operator.api.MailDomainSpec.DkimAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * DKIM key pairs: RSA-2048 (RFC 6376) and Ed25519 (RFC 8463), private keys as PKCS#8 PEM, and
 * the public key as the {@code p=} value of the DKIM TXT record.
 */
public final class DkimKeyFactory {
    private DkimKeyFactory() {}

    public static KeyPair generate(DkimAlgorithm algorithm) {
        try {
            if (algorithm == DkimAlgorithm.ED25519_SHA256) {
                return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code p=} value for a private key read back from its Secret. */
    public static String publicKeyRecordValue(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                PublicKey pub = KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
                // RFC 6376 3.6.1: base64 of the DER SubjectPublicKeyInfo
                return Base64.getEncoder().encodeToString(pub.getEncoded());
            }
            if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                byte[] seed = org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
                byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
                // RFC 8463 4.2: base64 of the raw 32-byte public key, not of a SubjectPublicKeyInfo
                return Base64.getEncoder().encodeToString(raw);
            }
            throw new IllegalArgumentException("unsupported DKIM key type " + key.getAlgorithm());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code p=} value straight from a public key. */
    public static String publicKeyRecordValue(PublicKey key) {
        if ("RSA".equals(key.getAlgorithm())) {
            return Base64.getEncoder().encodeToString(key.getEncoded());
        }
        byte[] raw = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getBytes();
        return Base64.getEncoder().encodeToString(Arrays.copyOf(raw, raw.length));
    }

}
