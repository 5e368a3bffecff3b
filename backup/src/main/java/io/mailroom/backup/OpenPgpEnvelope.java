package io.mailroom.backup;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyDataDecryptorFactoryBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyKeyEncryptionMethodGenerator;

/**
 * OpenPGP encryption of archives (RFC 4880 / 9580) with Bouncy Castle: AES-256 with an
 * integrity-protected packet, to the configured public key, so that the machine that writes
 * backups cannot read them back; only the holder of the secret key can (gpg works too:
 * {@code gpg --decrypt archive.tar.gz.gpg | tar tz}).
 */
public final class OpenPgpEnvelope {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private OpenPgpEnvelope() {}

    /** The first encryption-capable key of a public key file (armored or binary). */
    public static PGPPublicKey loadPublicKey(Path file) {
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
            for (PGPPublicKeyRing ring : rings) {
                PGPPublicKey fallback = null;
                for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
                    PGPPublicKey k = it.next();
                    if (k.isEncryptionKey() && !k.hasRevocation()) {
                        if (!k.isMasterKey()) {
                            return k; // a subkey made for encryption is what gpg would pick
                        }
                        fallback = k;
                    }
                }
                if (fallback != null) {
                    return fallback;
                }
            }
            throw new BackupException("the OpenPGP public key file " + file + " holds no encryption key");
        } catch (IOException | PGPException | RuntimeException e) {
            if (e instanceof BackupException b) {
                throw b;
            }
            throw new BackupException("cannot read the OpenPGP public key " + file + ": " + describe(e), e);
        }
    }

    public static PGPSecretKeyRingCollection loadSecretKeys(Path file) {
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            return new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator());
        } catch (IOException | PGPException | RuntimeException e) {
            throw new BackupException("cannot read the OpenPGP secret key " + file + ": " + describe(e), e);
        }
    }

    public static char[] loadPassphrase(Path file) {
        if (file == null) {
            return new char[0];
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray();
        } catch (IOException e) {
            throw new BackupException("cannot read the passphrase file " + file + ": " + describe(e), e);
        }
    }

    /** An output stream whose bytes are encrypted to {@code key} and written to {@code out}; close it to finish. */
    public static OutputStream encrypt(OutputStream out, PGPPublicKey key, String innerName) throws IOException {
        PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
                new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true)
                        .setSecureRandom(new SecureRandom()).setProvider(BC));
        gen.addMethod(new JcePublicKeyKeyEncryptionMethodGenerator(key).setProvider(BC));
        OutputStream encrypted;
        try {
            encrypted = gen.open(out, new byte[1 << 16]);
        } catch (PGPException e) {
            throw new IOException("cannot start OpenPGP encryption: " + describe(e), e);
        }
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        OutputStream data = literal.open(encrypted, PGPLiteralData.BINARY, innerName, new Date(), new byte[1 << 16]);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                data.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                data.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                data.flush();
            }

            @Override
            public void close() throws IOException {
                data.close();
                literal.close();
                encrypted.close();
                gen.close();
                out.close();
            }
        };
    }

    /**
     * The plaintext of an encrypted archive. Reading it to the end checks the integrity packet:
     * a modified or truncated archive fails with an {@link IOException} at the latest there.
     */
    public static InputStream decrypt(InputStream in, PGPSecretKeyRingCollection secretKeys, char[] passphrase) {
        try {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(in));
            Object o = factory.nextObject();
            while (o instanceof PGPMarker) {
                o = factory.nextObject();
            }
            if (!(o instanceof PGPEncryptedDataList list)) {
                throw new BackupException("the archive is not OpenPGP-encrypted data (damaged, or not a backup)");
            }
            List<String> recipients = new ArrayList<>();
            for (PGPEncryptedData ed : list) {
                if (!(ed instanceof PGPPublicKeyEncryptedData pked)) {
                    continue;
                }
                recipients.add(keyId(pked.getKeyID()));
                PGPSecretKey secret = secretKeys == null ? null : secretKeys.getSecretKey(pked.getKeyID());
                if (secret == null) {
                    continue;
                }
                if (!pked.isIntegrityProtected()) {
                    throw new BackupException("the archive's encryption has no integrity protection; refusing it");
                }
                PGPPrivateKey privateKey;
                try {
                    privateKey = secret.extractPrivateKey(
                            new JcePBESecretKeyDecryptorBuilder().setProvider(BC).build(passphrase));
                } catch (PGPException e) {
                    throw new BackupException("cannot unlock the OpenPGP secret key " + keyId(secret.getKeyID())
                            + " (wrong passphrase?)", e);
                }
                InputStream clear = pked.getDataStream(
                        new JcePublicKeyDataDecryptorFactoryBuilder().setProvider(BC).build(privateKey));
                JcaPGPObjectFactory inner = new JcaPGPObjectFactory(clear);
                Object content = inner.nextObject();
                if (content instanceof PGPCompressedData compressed) {
                    content = new JcaPGPObjectFactory(compressed.getDataStream()).nextObject();
                }
                if (!(content instanceof PGPLiteralData literal)) {
                    throw new BackupException("the decrypted archive holds no literal data (damaged?)");
                }
                return new Verified(literal.getInputStream(), pked);
            }
            throw new BackupException("the archive is encrypted to key " + String.join(", ", recipients)
                    + ", not to the configured secret key" + (secretKeys == null ? " (none configured: "
                    + "mailroom.backup.secret-key)" : ""));
        } catch (IOException | PGPException | RuntimeException e) {
            if (e instanceof BackupException b) {
                throw b;
            }
            throw new BackupException("cannot decrypt the archive (damaged or truncated?): " + describe(e), e);
        }
    }

    static String keyId(long id) {
        return String.format(Locale.ROOT, "0x%016X", id);
    }

    static String describe(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file " + e.getMessage();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Checks the modification detection code when the plaintext has been read to its end. */
    private static final class Verified extends FilterInputStream {
        private final PGPPublicKeyEncryptedData data;
        private boolean checked;

        Verified(InputStream in, PGPPublicKeyEncryptedData data) {
            super(in);
            this.data = data;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                check();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                check();
            }
            return n;
        }

        private void check() throws IOException {
            if (checked) {
                return;
            }
            checked = true;
            try {
                if (!data.verify()) {
                    throw new IOException("OpenPGP integrity check failed: the archive was modified");
                }
            } catch (PGPException e) {
                throw new IOException("OpenPGP integrity check failed: " + describe(e), e);
            }
        }
    }
}
