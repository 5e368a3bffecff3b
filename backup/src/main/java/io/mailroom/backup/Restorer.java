package io.mailroom.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountSnapshot;
import io.mailroom.common.store.AccountStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Restores an archive, all or nothing for the account store and the key files:
 * <ol>
 *   <li>the whole archive is read, checked against its manifest and unpacked into staging
 *       directories inside the mail root and the key directory (same file systems, so the
 *       final moves are renames); any problem deletes them and nothing else was touched;</li>
 *   <li>key files are moved into place (undone if the next step fails);</li>
 *   <li>the account records are written in one Redis transaction;</li>
 *   <li>message files are moved into their Maildirs.</li>
 * </ol>
 * Without {@code merge} the installation must be empty. With {@code merge}, what exists wins:
 * a message whose Maildir base name exists already, existing key files, domains, aliases and
 * (unless {@code overwriteAccounts}) users are kept.
 */
public final class Restorer {
    private static final Logger LOG = Logger.getLogger(Restorer.class);

    public record Report(Manifest manifest, int messagesRestored, int messagesKept, int keyFilesRestored,
            int keyFilesKept, AccountSnapshot.ImportResult accounts) {}

    private final AccountStore store;
    private final KeyDirectory keys;
    private final Path mailRoot;
    private final ArchiveReader reader;
    private final ObjectMapper json = new ObjectMapper();

    public Restorer(AccountStore store, KeyDirectory keys, Path mailRoot, ArchiveReader reader) {
        this.store = store;
        this.keys = keys;
        this.mailRoot = mailRoot;
        this.reader = reader;
    }

    public Report restore(Path archive, boolean merge, boolean overwriteAccounts) {
        if (!merge) {
            requireEmptyInstallation();
        }
        Path mailStage = null;
        Path keyStage = null;
        try {
            Files.createDirectories(mailRoot);
            Files.createDirectories(keys.root());
            Owner owner = Owner.of(mailRoot);
            String id = UUID.randomUUID().toString();
            mailStage = Files.createDirectory(mailRoot.resolve(".mailroom-restore-" + id),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            owner.apply(mailStage);
            keyStage = Files.createDirectory(keys.root().resolve(".restore-" + id),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Staging staging = new Staging(mailStage, keyStage, owner);
            Manifest manifest;
            try {
                manifest = reader.read(archive, staging);
            } catch (ArchiveReader.UnpackException e) {
                throw new BackupException("restore failed, nothing was changed: " + e.getMessage(), e);
            }
            if (staging.accounts == null) {
                throw new BackupException("the archive holds no " + ArchiveLayout.ACCOUNTS);
            }
            AccountSnapshot snapshot;
            try {
                snapshot = json.readValue(staging.accounts, AccountSnapshot.class);
            } catch (IOException e) {
                throw new BackupException(ArchiveLayout.ACCOUNTS + " in the archive is not valid: "
                        + OpenPgpEnvelope.describe(e), e);
            }
            if (!merge) {
                requireEmptyInstallation(); // again: someone may have started using it meanwhile
            }
            return apply(manifest, snapshot, staging, merge, overwriteAccounts);
        } catch (IOException e) {
            throw new BackupException("restore failed, nothing was changed: " + OpenPgpEnvelope.describe(e), e);
        } finally {
            deleteTree(mailStage);
            deleteTree(keyStage);
        }
    }

    private Report apply(Manifest manifest, AccountSnapshot snapshot, Staging staging, boolean merge,
            boolean overwriteAccounts) throws IOException {
        List<Path> movedKeys = new ArrayList<>();
        int keysKept = 0;
        AccountSnapshot.ImportResult accounts;
        try {
            for (String rel : staging.keyFiles) {
                Path target = keys.root().resolve(rel).normalize();
                if (Files.exists(target)) {
                    if (!merge) {
                        throw new BackupException("key file " + rel + " appeared during the restore; nothing was changed");
                    }
                    if (!Arrays.equals(Files.readAllBytes(target), Files.readAllBytes(staging.keyStage.resolve(rel)))) {
                        LOG.warnf("restore: key file %s differs from the archive's; the existing one is kept", rel);
                    }
                    keysKept++;
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.move(staging.keyStage.resolve(rel), target, StandardCopyOption.ATOMIC_MOVE);
                movedKeys.add(target);
            }
            accounts = store.importAll(snapshot, overwriteAccounts);
        } catch (IOException | RuntimeException e) {
            for (Path p : movedKeys) {
                Files.deleteIfExists(p);
            }
            if (e instanceof BackupException b) {
                throw b;
            }
            String why = e instanceof MailRoomException ? e.getMessage() : OpenPgpEnvelope.describe(e);
            throw new BackupException("restore failed, nothing was changed: " + why, e);
        }
        try {
            return moveMail(manifest, staging, movedKeys.size(), keysKept, accounts);
        } catch (IOException | RuntimeException e) {
            // accounts and keys are in place; the mail that was moved stays, a merge adds the rest
            throw new BackupException("restore incomplete: accounts and keys were restored, but moving the mail "
                    + "failed (" + OpenPgpEnvelope.describe(e) + "); run the restore again with --merge to finish", e);
        }
    }

    private Report moveMail(Manifest manifest, Staging staging, int keysRestored, int keysKept,
            AccountSnapshot.ImportResult accounts) throws IOException {
        int restored = 0;
        int kept = 0;
        java.util.Map<Path, java.util.Set<String>> present = new java.util.HashMap<>();
        for (ArchiveLayout.MailPath m : staging.mailFiles) {
            Path staged = staging.mailStage.resolve(m.relative());
            Path folder = mailRoot.resolve(m.domain()).resolve(m.local()).resolve("Maildir");
            if (!m.folder().isEmpty()) {
                folder = folder.resolve(m.folder());
            }
            boolean exists = m.isMessage()
                    ? present.computeIfAbsent(folder, Restorer::messageBaseNames)
                            .contains(ArchiveLayout.messageBaseName(m.file()))
                    : Files.exists(folder.resolve(m.file()));
            if (exists) {
                kept += m.isMessage() ? 1 : 0;
                continue;
            }
            Path target = m.isMessage() ? folder.resolve(m.dir()).resolve(m.file()) : folder.resolve(m.file());
            createMaildir(folder, staging.owner);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            restored += m.isMessage() ? 1 : 0;
        }
        return new Report(manifest, restored, kept, keysRestored, keysKept, accounts);
    }

    private void requireEmptyInstallation() {
        List<String> found = new ArrayList<>();
        if (!store.isEmpty()) {
            found.add("the account store has records");
        }
        if (hasVisibleChildren(mailRoot)) {
            found.add("the mail root " + mailRoot + " is not empty");
        }
        if (hasVisibleChildren(keys.root().resolve("dkim")) || Files.exists(keys.caKey())
                || Files.exists(keys.caCertificate())) {
            found.add("the key directory holds keys");
        }
        if (!found.isEmpty()) {
            throw new BackupException("the installation is not empty (" + String.join(", ", found)
                    + "); restore with --merge to add the archive to it");
        }
    }

    private static boolean hasVisibleChildren(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> !p.getFileName().toString().startsWith("."))) {
            return ds.iterator().hasNext();
        } catch (IOException e) {
            throw new BackupException("cannot read " + dir + ": " + OpenPgpEnvelope.describe(e), e);
        }
    }

    /** The base names of the messages a Maildir folder holds before the restore adds to it. */
    private static java.util.Set<String> messageBaseNames(Path folder) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String dir : List.of("cur", "new")) {
            Path d = folder.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                for (Path p : ds) {
                    names.add(ArchiveLayout.messageBaseName(p.getFileName().toString()));
                }
            } catch (IOException e) {
                throw new BackupException("cannot read " + d + ": " + OpenPgpEnvelope.describe(e), e);
            }
        }
        return names;
    }

    /** Creates the Maildir (with cur/new/tmp) and the directories above it, owned like the mail root. */
    private void createMaildir(Path folder, Owner owner) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = folder; p != null && p.startsWith(mailRoot) && !p.equals(mailRoot) && !Files.exists(p);
                p = p.getParent()) {
            missing.add(0, p);
        }
        for (String sub : List.of("cur", "new", "tmp")) {
            if (!Files.exists(folder.resolve(sub))) {
                missing.add(folder.resolve(sub));
            }
        }
        for (Path p : missing) {
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            owner.apply(p);
        }
    }

    /** Unpacks members into the staging directories, refusing any path outside the layout. */
    private static final class Staging implements ArchiveReader.Sink {
        final Path mailStage;
        final Path keyStage;
        final Owner owner;
        final List<String> keyFiles = new ArrayList<>();
        final List<ArchiveLayout.MailPath> mailFiles = new ArrayList<>();
        byte[] accounts;

        Staging(Path mailStage, Path keyStage, Owner owner) {
            this.mailStage = mailStage;
            this.keyStage = keyStage;
            this.owner = owner;
        }

        @Override
        public void member(String name, long size, InputStream content) throws IOException {
            if (name.equals(ArchiveLayout.ACCOUNTS)) {
                accounts = content.readAllBytes();
            } else if (ArchiveLayout.isKeyMember(name)) {
                String rel = name.substring(ArchiveLayout.KEYS.length());
                Path target = inside(keyStage, rel);
                Files.createDirectories(target.getParent());
                Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (var out = Files.newOutputStream(target)) {
                    content.transferTo(out);
                }
                keyFiles.add(rel);
            } else {
                ArchiveLayout.MailPath m = ArchiveLayout.mailPath(name).orElseThrow();
                Path target = inside(mailStage, m.relative());
                if (!Files.isDirectory(target.getParent())) {
                    Files.createDirectories(target.getParent());
                }
                Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try (var out = Files.newOutputStream(target)) {
                    content.transferTo(out);
                }
                owner.apply(target);
                mailFiles.add(m);
            }
        }

        private static Path inside(Path root, String rel) {
            Path p = root.resolve(rel).normalize();
            if (!p.startsWith(root) || p.equals(root)) {
                throw new BackupException("the archive holds a member outside its place: " + rel);
            }
            return p;
        }
    }

    /** The owner and group of the mail root, given to restored mail so that Dovecot can read and change it. */
    private record Owner(UserPrincipal user, GroupPrincipal group, boolean change) {
        static Owner of(Path mailRoot) throws IOException {
            PosixFileAttributes a = Files.readAttributes(mailRoot, PosixFileAttributes.class);
            boolean root = "root".equals(System.getProperty("user.name"));
            return new Owner(a.owner(), a.group(), root && !a.owner().getName().equals("root"));
        }

        void apply(Path p) throws IOException {
            if (change) {
                PosixFileAttributeView v = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                v.setOwner(user);
                v.setGroup(group);
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    LOG.warnf("restore: cannot remove staging file %s", p);
                }
            });
        } catch (IOException e) {
            LOG.warnf("restore: cannot remove staging directory %s", dir);
        }
    }
}
