package io.mailroom.backup;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.jboss.logging.Logger;

/**
 * One backup run: write the archive to the local target, copy it to the rclone remote if one is
 * configured, then apply retention (locally, and on the remote after a successful upload). Also
 * the entry point of verify and restore, built from the same settings.
 */
public final class BackupJob {
    private static final Logger LOG = Logger.getLogger(BackupJob.class);
    static final Duration RCLONE_TIMEOUT = Duration.ofHours(2);

    /**
     * The outcome of a run. {@code uploadError} is set when the archive was written but the copy to
     * the remote failed: the local archive is kept and the run counts as failed.
     */
    public record Report(Path archive, long bytes, Manifest manifest, Duration took, String uploadError,
            List<String> deleted) {
        public boolean succeeded() {
            return uploadError == null;
        }
    }

    private final BackupSettings settings;
    private final AccountStore store;
    private final KeyDirectory keys;

    public BackupJob(BackupSettings settings, AccountStore store, KeyDirectory keys) {
        this.settings = settings;
        this.store = store;
        this.keys = keys;
    }

    public Report run() {
        Instant start = Instant.now();
        PGPPublicKey recipient = recipient();
        LOG.infof("backup started: mail root %s, target %s%s", settings.mailRoot(), settings.targetDir(),
                recipient == null ? " (NOT encrypted: mailroom.backup.allow-unencrypted=true)"
                        : ", encrypted to OpenPGP key " + OpenPgpEnvelope.keyId(recipient.getKeyID()));
        ArchiveWriter.Written w = new ArchiveWriter(store, keys, settings.mailRoot(), recipient)
                .write(settings.targetDir());
        Manifest.Counts c = w.manifest().counts();
        LOG.infof("backup written: %s, %d bytes; %d messages (%d bytes) in %d mailboxes, %d users, %d aliases, "
                        + "%d domains, %d certificates, %d key files; %d ms",
                w.file().getFileName(), w.bytes(), c.messages(), c.messageBytes(), c.mailboxes(), c.users(),
                c.aliases(), c.domains(), c.certificates(), c.keyFiles(), Duration.between(start, Instant.now()).toMillis());

        String uploadError = null;
        List<String> deleted = new ArrayList<>();
        RcloneTarget remote = settings.rcloneRemote() == null ? null
                : new RcloneTarget(settings.rcloneBinary(), settings.rcloneRemote(), settings.rcloneConfig(),
                        RCLONE_TIMEOUT);
        if (remote != null) {
            try {
                remote.upload(w.file());
                LOG.infof("backup copied to %s", remote.display());
            } catch (BackupException e) {
                uploadError = e.getMessage();
                LOG.errorf("backup upload failed, the local archive %s is kept: %s", w.file(), e.getMessage());
            }
        }
        deleted.addAll(applyLocalRetention());
        if (remote != null && uploadError == null) {
            try {
                for (String name : Retention.toDelete(remote.list(), Instant.now(), settings.keepCount(),
                        settings.keepAge())) {
                    remote.delete(name);
                    deleted.add(remote.display() + " " + name);
                }
            } catch (BackupException e) {
                LOG.warnf("retention on %s failed: %s", remote.display(), e.getMessage());
            }
        }
        Duration took = Duration.between(start, Instant.now());
        LOG.infof("backup %s in %d ms%s", uploadError == null ? "finished" : "finished WITHOUT upload",
                took.toMillis(), deleted.isEmpty() ? "" : "; retention deleted " + deleted);
        return new Report(w.file(), w.bytes(), w.manifest(), took, uploadError, deleted);
    }

    /** Checks an archive completely (decryption, integrity, every SHA-256) without restoring anything. */
    public Manifest verify(Path archive) {
        Manifest m = reader().read(archive, (name, size, content) -> {});
        LOG.infof("archive %s verified: %d members, %d messages", archive.getFileName(), m.members().size(),
                m.counts().messages());
        return m;
    }

    public Restorer.Report restore(Path archive, boolean merge, boolean overwriteAccounts) {
        Instant start = Instant.now();
        Restorer.Report r = new Restorer(store, keys, settings.mailRoot(), reader())
                .restore(archive, merge, overwriteAccounts);
        var a = r.accounts();
        LOG.infof("restore of %s finished in %d ms: %d messages restored, %d kept; %d key files restored, %d kept; "
                        + "users %d created, %d replaced, %d kept; aliases %d created, %d kept; domains %d created, "
                        + "%d kept", archive.getFileName(), Duration.between(start, Instant.now()).toMillis(),
                r.messagesRestored(), r.messagesKept(), r.keyFilesRestored(), r.keyFilesKept(), a.usersCreated(),
                a.usersOverwritten(), a.usersKept(), a.aliasesCreated(), a.aliasesKept(), a.domainsCreated(),
                a.domainsKept());
        return r;
    }

    private ArchiveReader reader() {
        PGPSecretKeyRingCollection secret = settings.secretKey() == null ? null
                : OpenPgpEnvelope.loadSecretKeys(settings.secretKey());
        return new ArchiveReader(secret, OpenPgpEnvelope.loadPassphrase(settings.passphraseFile()));
    }

    /** Checks what a run needs before it starts (the encryption key, or permission not to encrypt). */
    public void checkConfiguration() {
        recipient();
    }

    private PGPPublicKey recipient() {
        if (settings.publicKey() != null) {
            return OpenPgpEnvelope.loadPublicKey(settings.publicKey());
        }
        if (!settings.allowUnencrypted()) {
            throw new BackupException("no OpenPGP public key is configured (mailroom.backup.public-key): refusing to "
                    + "write an unencrypted backup; set mailroom.backup.allow-unencrypted=true to allow it");
        }
        return null;
    }

    private List<String> applyLocalRetention() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(settings.targetDir())) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            LOG.warnf("retention: cannot list %s: %s", settings.targetDir(), OpenPgpEnvelope.describe(e));
            return List.of();
        }
        List<String> deleted = new ArrayList<>();
        for (String name : Retention.toDelete(names, Instant.now(), settings.keepCount(), settings.keepAge())) {
            try {
                Files.deleteIfExists(settings.targetDir().resolve(name));
                deleted.add(name);
            } catch (IOException e) {
                LOG.warnf("retention: cannot delete %s: %s", name, OpenPgpEnvelope.describe(e));
            }
        }
        return deleted;
    }
}
