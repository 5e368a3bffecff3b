package io.mailroom.common.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A client certificate just issued: the certificate, its private key and the PKCS#12 bundle
 * (key, certificate and the CA certificate) protected by the password it was issued with.
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey, byte[] pkcs12,
        String certificatePem, String privateKeyPem) {}
