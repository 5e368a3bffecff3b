package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.ExternalServer;
import io.mailroom.testkit.RedisExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives and GnuPG understand each other: an archive encrypted to a key made by gpg (Ed25519 +
 * Curve25519 subkey, gpg's default) decrypts with {@code gpg --decrypt}, and a gpg-encrypted
 * archive verifies with the secret key exported from gpg.
 */
class GpgInteropIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @TempDir
    static Path work;

    static Path gnupg;
    static String gpg;
    static RedisConnections connections;
    static BackupJob job;
    static BackupSettings settings;

    @BeforeAll
    static void setUp() throws Exception {
        gpg = ExternalServer.requireBinary("gpg", "gnupg");
        gnupg = Files.createDirectory(work.resolve("g"));
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        run("--quick-gen-key", "Mail Room backup <backup@example.test>", "default", "default", "never");
        Path pub = work.resolve("pub.asc");
        Path sec = work.resolve("sec.asc");
        Files.write(pub, run("--armor", "--export", "backup@example.test"));
        Files.write(sec, run("--armor", "--export-secret-keys", "backup@example.test"));
        connections = RedisConnections.open(redis.uri());
        Path mail = Files.createDirectories(work.resolve("mail/example.test/max/Maildir/new"));
        Files.writeString(mail.resolve("1.A.host"), "Message-ID: <m1@example.org>\n\nhello\n");
        AccountStore store = new AccountStore(connections.dataSource(),
                new StoreSettings(work.resolve("mail"), '+', 4));
        store.createDomain("example.test");
        settings = new BackupSettings(redis.uri(), work.resolve("mail"), work.resolve("keys"),
                work.resolve("backups"), pub, sec, null, false, null, null, "rclone", 0, Duration.ZERO);
        job = new BackupJob(settings, store, new KeyDirectory(work.resolve("keys")));
    }

    @AfterAll
    static void tearDown() throws Exception {
        connections.close();
        new ProcessBuilder("gpgconf", "--homedir", gnupg.toString(), "--kill", "gpg-agent").start().waitFor();
    }

    @Test
    void gpgDecryptsOurArchive() throws Exception {
        Path archive = job.run().archive();
        Path clear = work.resolve("clear.tar.gz");
        Files.write(clear, run("--decrypt", archive.toString()));
        assertThat(members(clear)).contains("accounts.json", "mail/example.test/max/Maildir/new/1.A.host")
                .endsWith(Manifest.NAME);
    }

    @Test
    void weVerifyAnArchiveEncryptedByGpg() throws Exception {
        Path archive = job.run().archive();
        Path clear = work.resolve("again.tar.gz");
        Files.write(clear, run("--decrypt", archive.toString()));
        Path reEncrypted = work.resolve("by-gpg.tar.gz.gpg");
        run("--trust-model", "always", "--recipient", "backup@example.test", "--output", reEncrypted.toString(),
                "--encrypt", clear.toString());
        assertThat(job.verify(reEncrypted).counts().messages()).isEqualTo(1);
    }

    private static List<String> members(Path tarGz) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tarGz);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private static byte[] run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(gpg, "--homedir", gnupg.toString(), "--batch", "--yes",
                "--pinentry-mode", "loopback", "--passphrase", ""));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(work.resolve("gpg.err").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new AssertionError("gpg " + String.join(" ", args) + " failed: " + Files.readString(work.resolve("gpg.err")));
        }
        return out;
    }
}
