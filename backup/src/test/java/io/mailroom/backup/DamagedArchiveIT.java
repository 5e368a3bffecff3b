package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.store.AccountSnapshot;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged, truncated, forged and wrongly keyed archives, and a full target disk: each gives a
 * clear error and leaves the installation (Redis records, mail files, key files) exactly as it was.
 */
class DamagedArchiveIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path work;

    static Installation inst;
    static TestPgpKeys pgp;
    static BackupSettings settings;
    static Path good;
    static Path plain;

    @BeforeAll
    static void setUp() throws Exception {
        inst = new Installation(mail, work);
        pgp = TestPgpKeys.generate(work.resolve("pgp"), "backup");
        settings = pgp.applyTo(inst.settings);
        inst.store.createDomain("example.test");
        inst.store.createUser("carol@example.test", "carol's secret");
        inst.store.createAlias("info@example.test", "carol@example.test");
        inst.keys.write(inst.keys.dkimKey("example.test", "s1"),
                BackupRestoreIT.pem(BackupRestoreIT.generate("Ed25519", 0)));
        byte[] noise = new byte[120_000];
        new Random(7).nextBytes(noise);
        inst.deliver("carol@example.test", Installation.message("carol@example.test", "big",
                Base64.getMimeEncoder().encodeToString(noise)));
        inst.deliver("info@example.test", Installation.message("carol@example.test", "small", "hello"));
        good = inst.job(settings).run().archive();
        plain = inst.job(inst.settings.withAllowUnencrypted(true).withTargetDir(work.resolve("plain"))).run().archive();
    }

    @AfterAll
    static void tearDown() {
        inst.close();
    }

    /** Everything a restore could change. */
    record State(AccountSnapshot accounts, Map<String, String> mail, Map<String, String> keys) {}

    static State state() throws IOException {
        return new State(inst.store.exportAll(), Installation.tree(inst.mailRoot), Installation.tree(inst.keys.root()));
    }

    static void assertMergeRefused(Path archive, BackupSettings s, String reason) throws IOException {
        State before = state();
        assertThatThrownBy(() -> inst.job(s).restore(archive, true, true))
                .isInstanceOf(BackupException.class).hasMessageContaining(reason);
        assertThat(state()).as("installation untouched").isEqualTo(before);
        assertThatThrownBy(() -> inst.job(s).verify(archive))
                .isInstanceOf(BackupException.class).hasMessageContaining(reason);
    }

    @Test
    void flippedByteIsDetected() throws IOException {
        byte[] b = Files.readAllBytes(good);
        b[b.length / 2] ^= 0x40;
        Path damaged = Files.write(work.resolve("flipped.tar.gz.gpg"), b);
        assertMergeRefused(damaged, settings, "damaged");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackupCli.execute(config(), new PrintWriter(out), new PrintWriter(err), "verify", damaged.toString());
        assertThat(code).isEqualTo(BackupCli.FAILED);
        assertThat(err.toString()).startsWith("error: the archive flipped.tar.gz.gpg is damaged")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void truncatedArchiveIsDetected() throws IOException {
        byte[] b = Files.readAllBytes(good);
        Path truncated = Files.write(work.resolve("truncated.tar.gz.gpg"),
                java.util.Arrays.copyOf(b, b.length * 2 / 3));
        assertMergeRefused(truncated, settings, "damaged or truncated");
        Path plainTruncated = Files.write(work.resolve("truncated.tar.gz"),
                java.util.Arrays.copyOf(Files.readAllBytes(plain), (int) Files.size(plain) - 100));
        assertMergeRefused(plainTruncated, inst.settings, "truncated");
    }

    @Test
    void wrongSecretKeyIsRefused() throws Exception {
        TestPgpKeys other = TestPgpKeys.generate(work.resolve("other"), "other");
        assertMergeRefused(good, other.applyTo(inst.settings), "not to the configured secret key");
        assertMergeRefused(good, inst.settings, "not to the configured secret key");
        Path badPass = Files.writeString(work.resolve("bad.pass"), "not the passphrase");
        assertMergeRefused(good, inst.settings.withKeys(null, pgp.secretKey(), badPass), "wrong passphrase");
    }

    @Test
    void memberThatDoesNotMatchTheManifestIsDetected() throws IOException {
        Path forged = rewrite(plain, work.resolve("forged.tar.gz"), (name, content) -> {
            if (name.contains("/cur/") || name.contains("/new/")) {
                byte[] c = content.clone();
                c[c.length - 3] ^= 1; // same size, other content
                return c;
            }
            return content;
        }, List.of());
        assertMergeRefused(forged, inst.settings, "does not match its SHA-256");

        Path missing = rewrite(plain, work.resolve("missing.tar.gz"),
                (name, content) -> name.equals(ArchiveLayout.ACCOUNTS) ? null : content, List.of());
        assertMergeRefused(missing, inst.settings, "listed in the manifest is missing");
    }

    @Test
    void unencryptedArchiveIsRefusedWhenASecretKeyIsConfigured() throws IOException {
        assertMergeRefused(plain, settings, "is not encrypted, but a secret key is configured");
        assertThat(inst.job(inst.settings).verify(plain).counts().messages()).as("readable without the key")
                .isEqualTo(2);
    }

    @Test
    void memberOutsideTheLayoutIsRefused() throws IOException {
        Path evil = rewrite(plain, work.resolve("evil.tar.gz"), (name, content) -> content,
                List.of("mail/example.test/carol/Maildir/cur/../../../../../../evil", "keys/../../evil.key"));
        assertMergeRefused(evil, inst.settings, "unexpected member");
        assertThat(work.resolve("evil")).doesNotExist();
    }

    @Test
    void restoreIntoAnInstallationInUseNeedsMerge() throws IOException {
        State before = state();
        assertThatThrownBy(() -> inst.job(settings).restore(good, false, false))
                .isInstanceOf(BackupException.class).hasMessageContaining("not empty").hasMessageContaining("--merge");
        assertThat(state()).isEqualTo(before);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(BackupCli.execute(config(), new PrintWriter(out), new PrintWriter(err), "restore", good.toString()))
                .isEqualTo(BackupCli.FAILED);
        assertThat(err.toString()).startsWith("error: the installation is not empty").contains("--merge");
        err.getBuffer().setLength(0);
        assertThat(BackupCli.execute(config(), new PrintWriter(out), new PrintWriter(err), "restore", good.toString(),
                "--overwrite-accounts")).isEqualTo(BackupCli.USAGE);
        assertThat(err.toString()).contains("--overwrite-accounts only applies with --merge");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void emptyInstallationStaysEmptyAfterAFailedRestoreAndTakesAGoodOne() throws IOException {
        State before = state();
        try {
            inst.wipe();
            byte[] b = Files.readAllBytes(good);
            b[b.length - 40] ^= 0x01; // near the end: most members are unpacked before it is noticed
            Path damaged = Files.write(work.resolve("late-damage.tar.gz.gpg"), b);
            assertThatThrownBy(() -> inst.job(settings).restore(damaged, false, false))
                    .isInstanceOf(BackupException.class).hasMessageMatching("(?s).*(damaged|integrity).*");
            assertThat(inst.store.isEmpty()).isTrue();
            assertThat(Installation.tree(inst.mailRoot)).isEmpty();
            assertThat(Installation.tree(inst.keys.root())).isEmpty();
        } finally {
            inst.job(settings).restore(good, false, false);
        }
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "carol@example.test", "carol's secret")).isTrue();
        assertThat(inst.inbox("carol@example.test", "carol's secret")).hasSize(2);
        assertThat(state().accounts()).isEqualTo(before.accounts());
        assertThat(state().keys()).isEqualTo(before.keys());
    }

    @Test
    void unencryptedBackupIsRefusedUnlessAllowed() throws IOException {
        Path target = work.resolve("refused");
        assertThatThrownBy(() -> inst.job(inst.settings.withTargetDir(target)).run())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("no OpenPGP public key").hasMessageContaining("mailroom.backup.allow-unencrypted");
        assertThat(target).doesNotExist();
    }

    /** A full disk: a 64 KiB tmpfs (as root), else a target below a regular file that cannot be a directory. */
    @Test
    void fullTargetDiskGivesAClearErrorAndKeepsOlderArchives() throws Exception {
        Path target = Files.createDirectories(work.resolve("tiny"));
        boolean mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", target.toString())
                .redirectErrorStream(true).start().waitFor() == 0;
        try {
            if (mounted) {
                Path older = Files.writeString(target.resolve("mailroom-backup-20200101T000000Z.tar.gz.gpg"), "older");
                State before = state();
                assertThatThrownBy(() -> inst.job(settings.withTargetDir(target)).run())
                        .isInstanceOf(BackupException.class)
                        .hasMessageContaining("cannot write the archive to " + target)
                        .hasMessageContaining("No space left on device");
                try (var files = Files.list(target)) {
                    assertThat(files.toList()).as("no partial archive left").containsExactly(older);
                }
                assertThat(Files.readString(older)).isEqualTo("older");
                assertThat(state()).isEqualTo(before);
            } else {
                Path notADir = Files.writeString(work.resolve("plain-file"), "x");
                assertThatThrownBy(() -> inst.job(settings.withTargetDir(notADir.resolve("backups"))).run())
                        .isInstanceOf(BackupException.class).hasMessageContaining("cannot write the archive to");
            }
        } finally {
            if (mounted) {
                new ProcessBuilder("umount", target.toString()).start().waitFor();
            }
        }
        assertThat(mounted).as("tmpfs mounted (the test runs as root here)").isTrue();
    }

    /** Restoring onto a mail root without room: the archive is fine, the error says so, nothing changes. */
    @Test
    void fullDiskDuringRestoreChangesNothing() throws Exception {
        Path tinyMail = Files.createDirectories(work.resolve("tiny-mail"));
        assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tinyMail.toString())
                .redirectErrorStream(true).start().waitFor()).as("tmpfs mounted (runs as root)").isZero();
        try {
            State before = state();
            Restorer onTiny = new Restorer(inst.store, inst.keys, tinyMail,
                    new ArchiveReader(OpenPgpEnvelope.loadSecretKeys(pgp.secretKey()),
                            OpenPgpEnvelope.loadPassphrase(pgp.passphrase())));
            assertThatThrownBy(() -> onTiny.restore(good, true, true))
                    .isInstanceOf(BackupException.class)
                    .hasMessageStartingWith("restore failed, nothing was changed: cannot unpack mail/")
                    .hasMessageContaining("No space left on device")
                    .hasMessageNotContaining("damaged");
            assertThat(state()).isEqualTo(before);
            assertThat(Installation.tree(tinyMail)).as("staging removed").isEmpty();
        } finally {
            new ProcessBuilder("umount", tinyMail.toString()).start().waitFor();
        }
    }

    @Test
    void goodArchiveVerifiesOnTheCommandLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackupCli.execute(config(), new PrintWriter(out), new PrintWriter(err), "verify", good.toString());
        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
        assertThat(out.toString()).contains("is intact").contains("2 messages").contains("1 users");
    }

    static java.util.function.Function<String, Optional<String>> config() {
        Map<String, String> m = new HashMap<>();
        m.put("mailroom.redis.uri", mail.redis().uri());
        m.put("mailroom.mail-root", inst.mailRoot.toString());
        m.put("mailroom.key-dir", inst.keys.root().toString());
        m.put("mailroom.backup.secret-key", pgp.secretKey().toString());
        m.put("mailroom.backup.secret-key-passphrase-file", pgp.passphrase().toString());
        return k -> Optional.ofNullable(m.get(k));
    }

    interface Edit {
        byte[] apply(String name, byte[] content);
    }

    /** Copies a plain archive member by member, editing contents (null drops a member) and adding members. */
    static Path rewrite(Path from, Path to, Edit edit, List<String> extra) throws IOException {
        try (InputStream in = Files.newInputStream(from);
                TarArchiveInputStream tin = new TarArchiveInputStream(new GzipCompressorInputStream(in));
                OutputStream out = Files.newOutputStream(to);
                TarArchiveOutputStream tout = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tout.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String name : extra) {
                byte[] c = "evil".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(name, true);
                e.setSize(c.length);
                tout.putArchiveEntry(e);
                tout.write(c);
                tout.closeArchiveEntry();
            }
            TarArchiveEntry e;
            while ((e = tin.getNextEntry()) != null) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                tin.transferTo(buf);
                byte[] c = e.getName().equals(Manifest.NAME) ? buf.toByteArray() : edit.apply(e.getName(), buf.toByteArray());
                if (c == null) {
                    continue;
                }
                TarArchiveEntry n = new TarArchiveEntry(e.getName());
                n.setSize(c.length);
                tout.putArchiveEntry(n);
                tout.write(c);
                tout.closeArchiveEntry();
            }
        }
        return to;
    }
}
