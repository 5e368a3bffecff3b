package io.mailroom.backup;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyEncryptorBuilder;

/** An OpenPGP key pair made with Bouncy Castle for a test: armored public key, secret key and passphrase files. */
record TestPgpKeys(Path publicKey, Path secretKey, Path passphrase) {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    static TestPgpKeys generate(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048);
        PGPKeyPair pair = new JcaPGPKeyPair(PGPPublicKey.RSA_GENERAL, kpg.generateKeyPair(), new Date());
        PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder().build().get(HashAlgorithmTags.SHA1);
        String passphrase = "test passphrase of " + name;
        PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
                name + " <backup@example.test>", sha1, null, null,
                new JcaPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256)
                        .setProvider(BC),
                new JcePBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256, sha1).setProvider(BC)
                        .build(passphrase.toCharArray()));
        Path pub = dir.resolve(name + ".pub.asc");
        Path sec = dir.resolve(name + ".sec.asc");
        Path pass = dir.resolve(name + ".pass");
        try (OutputStream out = new ArmoredOutputStream(Files.newOutputStream(pub))) {
            gen.generatePublicKeyRing().encode(out);
        }
        try (OutputStream out = new ArmoredOutputStream(Files.newOutputStream(sec))) {
            gen.generateSecretKeyRing().encode(out);
        }
        Files.writeString(pass, passphrase + "\n", StandardCharsets.UTF_8);
        return new TestPgpKeys(pub, sec, pass);
    }

    BackupSettings applyTo(BackupSettings s) {
        return s.withKeys(publicKey, secretKey, passphrase);
    }

}
