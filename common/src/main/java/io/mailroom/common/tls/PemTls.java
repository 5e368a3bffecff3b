package io.mailroom.common.tls;

import io.mailroom.common.MailRoomException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Loads PEM certificates and keys (as cert-manager and openssl write them: PKCS#8, PKCS#1 RSA
 * or SEC1 EC keys) into JDK objects and server {@link SSLContext}s. The JDK reads no PEM keys
 * itself, so Bouncy Castle's PEM parser does it.
 */
public final class PemTls {
    private PemTls() {}

    public static List<X509Certificate> certificates(String pem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (var c : cf.generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new MailRoomException("no certificate in PEM input");
            }
            return out;
        } catch (CertificateException e) {
            throw new MailRoomException("invalid certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey privateKey(String pem) {
        try (Reader r = new StringReader(pem); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new MailRoomException("no private key in PEM input");
        } catch (IOException e) {
            throw new MailRoomException("invalid private key: " + e.getMessage(), e);
        }
    }

    /** A TLS server context from a certificate chain file and a key file (PEM). */
    public static SSLContext serverContext(Path certFile, Path keyFile) {
        try {
            List<X509Certificate> chain = certificates(Files.readString(certFile));
            PrivateKey key = privateKey(Files.readString(keyFile));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, new char[0], chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new MailRoomException("cannot load TLS certificate " + certFile + ": " + e.getMessage(), e);
        }
    }
}
