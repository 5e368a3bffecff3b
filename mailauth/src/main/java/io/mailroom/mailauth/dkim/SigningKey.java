package io.mailroom.mailauth.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * A private key for DKIM/ARC signing with its public half, read from PEM: RSA as PKCS#8
 * ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY"), Ed25519 as PKCS#8 PEM or as the
 * base64 32-byte seed that RFC 8463 and dkimpy use.
 */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {

    private static final byte[] ED25519_PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    public SignatureAlgorithm algorithm() {
        return SignatureAlgorithm.forKey(privateKey);
    }

    /** The TXT record to publish at selector._domainkey.domain. */
    public String dnsRecord() {
        return DkimKey.recordValue(publicKey);
    }

    /** Reads a key; throws {@link IllegalArgumentException} with a message that never contains key material. */
    public static SigningKey fromPem(String text) {
        try {
            String t = text.strip();
            if (t.contains("-----BEGIN RSA PRIVATE KEY-----")) {
                org.bouncycastle.asn1.pkcs.RSAPrivateKey k = org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(pemBody(t, "RSA PRIVATE KEY"));
                KeyFactory kf = KeyFactory.getInstance("RSA");
                PrivateKey priv = kf.generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(),
                        k.getPrime1(), k.getPrime2(), k.getExponent1(), k.getExponent2(), k.getCoefficient()));
                return new SigningKey(priv, kf.generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent())));
            }
            if (t.contains("-----BEGIN PRIVATE KEY-----")) {
                byte[] der = pemBody(t, "PRIVATE KEY");
                try {
                    KeyFactory kf = KeyFactory.getInstance("RSA");
                    RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(der));
                    return new SigningKey(priv, kf.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent())));
                } catch (GeneralSecurityException | ClassCastException e) {
                    // not RSA: Ed25519 PKCS#8 ends with the 32-byte seed
                    KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
                    return ed25519(Arrays.copyOfRange(der, der.length - 32, der.length));
                }
            }
            if (t.startsWith("-----")) throw new IllegalArgumentException("unsupported PEM type");
            byte[] seed = Base64.getMimeDecoder().decode(t);
            if (seed.length != 32) throw new IllegalArgumentException("not an Ed25519 seed (expected 32 bytes)");
            return ed25519(seed);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("not an")) throw iae;
            throw new IllegalArgumentException("unreadable private key (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** An Ed25519 key from its 32-byte seed (RFC 8032 private key). */
    public static SigningKey ed25519(byte[] seed) throws GeneralSecurityException {
        byte[] pkcs8 = Arrays.copyOf(ED25519_PKCS8_PREFIX, ED25519_PKCS8_PREFIX.length + 32);
        System.arraycopy(seed, 0, pkcs8, ED25519_PKCS8_PREFIX.length, 32);
        KeyFactory kf = KeyFactory.getInstance("Ed25519");
        PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        byte[] pub = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
        System.arraycopy(pub, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        return new SigningKey(priv, kf.generatePublic(new X509EncodedKeySpec(spki)));
    }

    private static byte[] pemBody(String pem, String type) {
        int a = pem.indexOf("-----BEGIN " + type + "-----");
        int b = pem.indexOf("-----END " + type + "-----");
        if (a < 0 || b < a) throw new IllegalArgumentException("malformed PEM");
        return Base64.getMimeDecoder().decode(pem.substring(a + type.length() + 16, b));
    }

    /** A new RSA key of the given size (2048 recommended). */
    public static SigningKey generateRsa(int bits) {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            java.security.KeyPair kp = g.generateKeyPair();
            return new SigningKey(kp.getPrivate(), kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new Ed25519 key. */
    public static SigningKey generateEd25519() {
        try {
            byte[] seed = new byte[32];
            new java.security.SecureRandom().nextBytes(seed);
            return ed25519(seed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as PKCS#8 PEM ("BEGIN PRIVATE KEY"), readable by OpenSSL, dkimpy and this class. */
    public String toPem() {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(privateKey.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
    }

    /** The Ed25519 seed in base64 (the RFC 8463 / dkimpy key file format); RSA keys have none. */
    public String ed25519Seed() {
        if (algorithm() != SignatureAlgorithm.ED25519_SHA256) throw new IllegalStateException("not an Ed25519 key");
        byte[] der = privateKey.getEncoded();
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(der, der.length - 32, der.length));
    }

    /** RSA modulus size, or 256 for Ed25519. */
    public int bits() {
        if (publicKey instanceof java.security.interfaces.RSAPublicKey r) return r.getModulus().bitLength();
        return 256;
    }

}
