package io.mailroom.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountSnapshot;
import io.mailroom.common.store.AccountStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.jboss.logging.Logger;

/**
 * Writes one archive: {@code accounts.json}, the key files, every mailbox, and {@code manifest.json}
 * last, as tar → gzip → (OpenPGP) into a {@code .partial} file in the target directory that is
 * renamed to its final name only once complete and synced. A failure (full disk, unwritable
 * directory) removes the partial file and leaves the older archives alone.
 */
public final class ArchiveWriter {
    private static final Logger LOG = Logger.getLogger(ArchiveWriter.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    /** A finished archive. */
    public record Written(Path file, long bytes, Manifest manifest) {}

    private final AccountStore store;
    private final KeyDirectory keys;
    private final Path mailRoot;
    private final PGPPublicKey recipient;
    private final ObjectMapper json = new ObjectMapper();

    /** @param recipient the OpenPGP key to encrypt to, or null for a plain archive */
    public ArchiveWriter(AccountStore store, KeyDirectory keys, Path mailRoot, PGPPublicKey recipient) {
        this.store = store;
        this.keys = keys;
        this.mailRoot = mailRoot;
        this.recipient = recipient;
    }

    public Written write(Path targetDir) {
        Instant start = Instant.now();
        boolean encrypted = recipient != null;
        Path partial = null;
        AccountSnapshot accounts;
        try {
            accounts = store.exportAll();
        } catch (RuntimeException e) {
            throw new BackupException("cannot read the account store: " + OpenPgpEnvelope.describe(e), e);
        }
        try {
            Files.createDirectories(targetDir);
            String name = ArchiveLayout.archiveName(start, encrypted);
            partial = targetDir.resolve("." + name + ".partial");
            Manifest manifest;
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // closing the archive streams must not close the channel: it is synced afterwards
                OutputStream file = new BufferedOutputStream(new java.io.FilterOutputStream(
                        java.nio.channels.Channels.newOutputStream(ch)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                }, 1 << 16);
                OutputStream sink = encrypted ? OpenPgpEnvelope.encrypt(file, recipient, name.replace(".gpg", ""))
                        : file;
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(sink));
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                manifest = writeMembers(tar, accounts, start);
                tar.close(); // finishes tar, gzip and the OpenPGP packets
                ch.force(true);
            }
            Path target = targetDir.resolve(name);
            for (int i = 1; Files.exists(target); i++) { // two runs in one second
                target = targetDir.resolve(name.replace(".tar.gz", "-" + i + ".tar.gz"));
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dir = FileChannel.open(targetDir, StandardOpenOption.READ)) {
                dir.force(true); // the rename itself survives a crash
            } catch (IOException ignored) {
                // not every file system can sync a directory
            }
            long size = Files.size(target);
            return new Written(target, size, manifest);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(partial);
            if (e instanceof BackupException b) {
                throw b;
            }
            String why = e instanceof FileAlreadyExistsException ? "a backup is already being written"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : OpenPgpEnvelope.describe(e);
            throw new BackupException("cannot write the archive to " + targetDir + ": " + why, e);
        }
    }

    private Manifest writeMembers(TarArchiveOutputStream tar, AccountSnapshot accounts, Instant start)
            throws IOException {
        List<Manifest.Member> members = new ArrayList<>();
        byte[] accountsJson = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(accounts);
        add(tar, members, ArchiveLayout.ACCOUNTS, accountsJson.length, new ByteArrayInputStream(accountsJson), start);

        int keyFiles = 0;
        for (Path f : keyFiles()) {
            String member = ArchiveLayout.KEYS + keys.root().relativize(f).toString().replace('\\', '/');
            if (ArchiveLayout.isKeyMember(member)) {
                byte[] content = Files.readAllBytes(f);
                add(tar, members, member, content.length, new ByteArrayInputStream(content), start);
                keyFiles++;
            }
        }

        long[] lastLog = {System.nanoTime()};
        MaildirCollector.Totals mail = new MaildirCollector(mailRoot).collect((member, size, content) -> {
            add(tar, members, member, size, content, start);
            if (System.nanoTime() - lastLog[0] > PROGRESS_EVERY.toNanos()) {
                lastLog[0] = System.nanoTime();
                LOG.infof("backup in progress: %d files, %d bytes saved so far", members.size(),
                        members.stream().mapToLong(Manifest.Member::size).sum());
            }
        });

        Manifest.Counts counts = new Manifest.Counts(mail.mailboxes(), mail.messages(), mail.messageBytes(),
                accounts.users().size(), accounts.aliases().size(), accounts.domains().size(), accounts.certs().size(),
                keyFiles);
        Manifest manifest = new Manifest(Manifest.FORMAT, start.truncatedTo(ChronoUnit.SECONDS).toString(),
                Duration.between(start, Instant.now()).toMillis(), counts, members);
        byte[] manifestJson = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        TarArchiveEntry e = entry(Manifest.NAME, manifestJson.length, start);
        tar.putArchiveEntry(e);
        tar.write(manifestJson);
        tar.closeArchiveEntry();
        return manifest;
    }

    private List<Path> keyFiles() throws IOException {
        if (!Files.isDirectory(keys.root())) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("dkim", "ca")) {
            Path dir = keys.root().resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.filter(Files::isRegularFile).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }

    private static void add(TarArchiveOutputStream tar, List<Manifest.Member> members, String name, long size,
            InputStream content, Instant time) throws IOException {
        MessageDigest sha = sha256();
        tar.putArchiveEntry(entry(name, size, time));
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = content.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException(name + " became shorter while it was read");
            }
            tar.write(buf, 0, n);
            sha.update(buf, 0, n);
            left -= n;
        }
        tar.closeArchiveEntry();
        members.add(new Manifest.Member(name, size, HexFormat.of().formatHex(sha.digest())));
    }

    private static TarArchiveEntry entry(String name, long size, Instant time) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0100600);
        e.setModTime(time.toEpochMilli());
        return e;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the partial name never looks like a finished archive
            }
        }
    }
}
