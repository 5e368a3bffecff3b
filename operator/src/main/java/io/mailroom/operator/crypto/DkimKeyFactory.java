package io.mailroom.operator.crypto;

import io.mailroom.common.dkim.DkimKeys;
import io.mailroom.operator.api.MailDomainSpec.DkimAlgorithm;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * DKIM keys as the Controller makes them ({@link DkimKeys} in common), plus what the operator
 * needs on top: the {@code p=} value of a private key read back from its Secret.
 */
public final class DkimKeyFactory {
    private DkimKeyFactory() {}

    /** A new private key, PKCS#8 PEM. */
    public static String generate(String selector, DkimAlgorithm algorithm) {
        return (algorithm == DkimAlgorithm.ED25519_SHA256 ? DkimKeys.ed25519(selector) : DkimKeys.rsa(selector))
                .privateKeyPem();
    }

    /** The {@code p=} value of the key pair a private key belongs to. */
    public static String publicKeyValue(PrivateKey key) {
        return DkimKeys.publicKeyValue(publicKey(key));
    }

    static PublicKey publicKey(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                return KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
                byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
                byte[] spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), raw)
                        .getEncoded();
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            throw new IllegalArgumentException("unsupported DKIM key type " + key.getAlgorithm());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
