package io.mailroom.common.ca;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.tls.PemTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The installation's client-certificate CA. It issues per-user certificates usable for IMAP
 * client-certificate login (Dovecot maps the certificate to the user through the subject's
 * common name, {@code ssl_cert_username_field = commonName}) and for S/MIME (the address is the
 * SAN rfc822Name and the subject's emailAddress). Revocation is a CRL ({@code ca/ca.crl} next to
 * the CA in the key directory); Dovecot reads the CRL together with the CA ({@code ssl_ca}).
 */
public final class ClientCertificateAuthority {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withRSA";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    public static final Duration MAX_VALIDITY = Duration.ofDays(3650);
    /** How long a CRL is valid; Dovecot (OpenSSL) refuses client certificates once it has expired. */
    public static final Duration CRL_VALIDITY = Duration.ofDays(3650);

    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final KeyDirectory directory;

    /** A CA from its certificate and key, e.g. read from a Kubernetes Secret; CRLs are then only computed, not stored. */
    public ClientCertificateAuthority(X509Certificate caCertificate, PrivateKey caKey) {
        this(caCertificate, caKey, null);
    }

    private ClientCertificateAuthority(X509Certificate caCertificate, PrivateKey caKey, KeyDirectory directory) {
        this.caCertificate = caCertificate;
        this.caKey = caKey;
        this.directory = directory;
    }

    /** The CA kept in the key directory ({@code ca/ca.crt}, {@code ca/ca.key}, {@code ca/ca.crl}), created on first use. */
    public static synchronized ClientCertificateAuthority loadOrCreate(KeyDirectory dir, String name) {
        Optional<String> cert = dir.read(dir.caCertificate());
        Optional<String> key = dir.read(dir.caKey());
        ClientCertificateAuthority ca;
        if (cert.isPresent() && key.isPresent()) {
            ca = new ClientCertificateAuthority(PemTls.certificates(cert.get()).get(0), PemTls.privateKey(key.get()), dir);
        } else if (cert.isEmpty() && key.isEmpty()) {
            ClientCertificateAuthority fresh = generate(name);
            ca = new ClientCertificateAuthority(fresh.caCertificate, fresh.caKey, dir);
            // key first: a certificate without its key would be a CA that can never sign
            dir.write(dir.caKey(), ca.privateKeyPem());
            dir.write(dir.caCertificate(), ca.certificatePem());
        } else {
            throw new MailRoomException("the key directory holds only half of the client CA (ca.crt or ca.key)");
        }
        if (dir.read(ca.crlFile()).isEmpty()) {
            dir.write(ca.crlFile(), ca.updatedCrl(null, null));
        }
        return ca;
    }

    /** A new self-signed CA (RSA-2048), not stored anywhere. */
    public static ClientCertificateAuthority generate(String name) {
        try {
            KeyPair kp = rsaKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Mail Room")
                    .addRDN(BCStyle.CN, name + " client CA").build();
            Instant now = Instant.now();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            var b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(1, ChronoUnit.HOURS)),
                    Date.from(now.plus(CA_VALIDITY)), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(kp.getPrivate())));
            return new ClientCertificateAuthority(cert, kp.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new MailRoomException("cannot create the client CA: " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    public String certificatePem() {
        return pem(caCertificate);
    }

    public String privateKeyPem() {
        return pkcs8Pem(caKey);
    }

    /**
     * Issues a certificate for a user: RSA-2048 (what S/MIME clients support everywhere), subject
     * {@code CN=<address>, emailAddress=<address>}, SAN rfc822Name, key usages for TLS client
     * authentication and S/MIME signing and encryption.
     */
    public IssuedCertificate issue(EmailAddress user, char[] pkcs12Password, Duration validity) {
        if (pkcs12Password == null || pkcs12Password.length == 0) {
            throw new InvalidInputException("a PKCS#12 password is required");
        }
        if (validity == null || validity.isNegative() || validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
            throw new InvalidInputException("validity must be between 1 and " + MAX_VALIDITY.toDays() + " days");
        }
        try {
            KeyPair kp = rsaKeyPair();
            String address = user.toString();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, address)
                    .addRDN(BCStyle.EmailAddress, address).build();
            Instant now = Instant.now();
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            var b = new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(now.minus(1, ChronoUnit.HOURS)),
                    Date.from(now.plus(validity)), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_emailProtection}));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.rfc822Name, address)));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(caKey)));

            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(null, null);
            p12.setKeyEntry(address, kp.getPrivate(), pkcs12Password, new X509Certificate[] {cert, caCertificate});
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            p12.store(bytes, pkcs12Password);
            return new IssuedCertificate(cert, kp.getPrivate(), bytes.toByteArray(), pem(cert),
                    pkcs8Pem(kp.getPrivate()));
        } catch (GeneralSecurityException | IOException e) {
            throw new MailRoomException("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    /** True when this CA signed the certificate. */
    public boolean issued(X509Certificate cert) {
        try {
            cert.verify(caCertificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- revocation

    /** {@code ca/ca.crl}, next to the CA certificate. */
    public Path crlFile() {
        if (directory == null) {
            throw new IllegalStateException("this CA is not kept in a key directory");
        }
        return directory.caCertificate().resolveSibling("ca.crl");
    }

    /** The current CRL (PEM) of a CA kept in a key directory. */
    public String crlPem() {
        return directory.read(crlFile()).orElseGet(() -> updatedCrl(null, null));
    }

    /** Revokes a certificate of this CA and rewrites the CRL file. */
    public synchronized void revoke(X509Certificate cert) {
        if (!issued(cert)) {
            throw new InvalidInputException("the certificate was not issued by this CA");
        }
        directory.write(crlFile(), updatedCrl(directory.read(crlFile()).orElse(null), cert.getSerialNumber()));
    }

    public boolean isRevoked(X509Certificate cert) {
        return parseCrl(crlPem()).isRevoked(cert);
    }

    /**
     * A new CRL (PEM) holding the entries of {@code previousPem} (may be null) plus {@code serial}
     * (may be null: just re-sign, e.g. to create the first, empty CRL).
     */
    public String updatedCrl(String previousPem, BigInteger serial) {
        try {
            Instant now = Instant.now();
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(caCertificate, Date.from(now.minus(1, ChronoUnit.MINUTES)));
            b.setNextUpdate(Date.from(now.plus(CRL_VALIDITY)));
            BigInteger number = BigInteger.ONE;
            if (previousPem != null) {
                X509CRLHolder previous = crlHolder(previousPem);
                b.addCRL(previous);
                var n = previous.getExtension(Extension.cRLNumber);
                if (n != null) {
                    number = org.bouncycastle.asn1.x509.CRLNumber.getInstance(n.getParsedValue()).getCRLNumber()
                            .add(BigInteger.ONE);
                }
            }
            if (serial != null) {
                b.addCRLEntry(serial, Date.from(now), CRLReason.unspecified);
            }
            b.addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCertificate));
            X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(signer(caKey)));
            return pem(crl);
        } catch (GeneralSecurityException | IOException e) {
            throw new MailRoomException("cannot write the CRL: " + e.getMessage(), e);
        }
    }

    public static X509CRL parseCrl(String pem) {
        try {
            return new JcaX509CRLConverter().getCRL(crlHolder(pem));
        } catch (GeneralSecurityException e) {
            throw new MailRoomException("invalid CRL: " + e.getMessage(), e);
        }
    }

    private static X509CRLHolder crlHolder(String pem) {
        try (Reader r = new StringReader(pem); PEMParser p = new PEMParser(r)) {
            if (p.readObject() instanceof X509CRLHolder h) {
                return h;
            }
            throw new MailRoomException("no CRL in PEM input");
        } catch (IOException e) {
            throw new MailRoomException("invalid CRL: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static KeyPair rsaKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** Random positive 127-bit serial numbers (RFC 5280 4.1.2.2 allows up to 20 octets). */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static ContentSigner signer(PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaContentSignerBuilder(SIGNATURE).build(key);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /** PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), the form the key directory holds. */
    public static String pkcs8Pem(PrivateKey key) {
        String b64 = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
    }

    static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new MailRoomException("cannot encode PEM", e);
        }
        return sw.toString();
    }
}
