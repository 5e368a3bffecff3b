package io.mailroom.inbox;

import io.mailroom.common.tls.PemTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Encrypts a message at rest to its recipient's certificate (S/MIME 4.0, RFC 8551): the MIME
 * entity (Content-* fields and body) becomes CMS EnvelopedData with AES-256-CBC, the other header
 * fields stay readable so the mailbox can still be listed and searched by sender and subject.
 * RSA certificates use key transport, EC certificates ECDH key agreement.
 */
public final class SmimeEncryptor {
    private static final Provider BC = new BouncyCastleProvider();

    private SmimeEncryptor() {}

    public static byte[] encrypt(byte[] message, String certificatePem) throws IOException {
        X509Certificate cert = PemTls.certificates(certificatePem).get(0);
        MessageHeaders headers = MessageHeaders.parse(message);
        // the inner entity: the Content-* fields (default text/plain) plus the body
        StringBuilder inner = new StringBuilder();
        boolean hasType = false;
        for (MessageHeaders.Field f : headers.fields()) {
            if (MessageHeaders.lower(f.name()).startsWith("content-")) {
                inner.append(f.raw()).append("\r\n");
                hasType |= f.named("Content-Type");
            }
        }
        if (!hasType) {
            inner.insert(0, "Content-Type: text/plain; charset=us-ascii\r\n");
        }
        byte[] head = inner.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = headers.body();
        byte[] entity = new byte[head.length + (body.length == 0 ? 2 : body.length)];
        System.arraycopy(head, 0, entity, 0, head.length);
        if (body.length == 0) {
            entity[head.length] = '\r';
            entity[head.length + 1] = '\n';
        } else {
            System.arraycopy(body, 0, entity, head.length, body.length);
        }
        byte[] cms;
        try {
            CMSEnvelopedDataGenerator gen = new CMSEnvelopedDataGenerator();
            if (cert.getPublicKey() instanceof ECPublicKey) {
                JceKeyAgreeRecipientInfoGenerator ka = new JceKeyAgreeRecipientInfoGenerator(
                        CMSAlgorithm.ECDH_SHA256KDF, null, null, CMSAlgorithm.AES256_WRAP).setProvider(BC);
                ka.addRecipient(cert);
                gen.addRecipientInfoGenerator(ka);
            } else {
                gen.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(cert).setProvider(BC));
            }
            CMSEnvelopedData ed = gen.generate(new CMSProcessableByteArray(entity),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).setProvider(BC).build());
            cms = ed.getEncoded();
        } catch (CMSException | java.security.GeneralSecurityException e) {
            throw new IOException("S/MIME encryption failed: " + e.getMessage(), e);
        }
        headers.removeIf(f -> MessageHeaders.lower(f.name()).startsWith("content-") || f.named("MIME-Version"));
        StringBuilder out = new StringBuilder();
        for (MessageHeaders.Field f : headers.fields()) {
            out.append(f.raw()).append("\r\n");
        }
        out.append("MIME-Version: 1.0\r\n")
                .append("Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n")
                .append("Content-Transfer-Encoding: base64\r\n")
                .append("Content-Disposition: attachment; filename=smime.p7m\r\n\r\n");
        String b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(cms);
        out.append(b64).append("\r\n");
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Whether a message is already encrypted (then it is stored as it came). */
    public static boolean isEncrypted(byte[] message) {
        String type = MessageHeaders.parse(message).first("Content-Type");
        return type != null && MessageHeaders.lower(type).contains("enveloped-data");
    }
}
