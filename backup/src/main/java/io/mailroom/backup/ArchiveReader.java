package io.mailroom.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;

/**
 * Reads an archive from start to end and proves it whole: it decrypts (the OpenPGP integrity
 * packet is checked at the end), unpacks, hashes every member, and compares the members with
 * {@code manifest.json} (the last member): same names, sizes and SHA-256, nothing missing,
 * nothing extra. Members are handed to a {@link Sink} as they come; only when
 * {@link #read} returns normally may anything the sink wrote be used.
 */
public final class ArchiveReader {
    private static final long MAX_JSON = 256L << 20;

    /** Receives each member; it may read the content or not (the rest is read and hashed anyway). */
    public interface Sink {
        void member(String name, long size, InputStream content) throws IOException;
    }

    private final PGPSecretKeyRingCollection secretKeys;
    private final char[] passphrase;
    private final ObjectMapper json = new ObjectMapper();

    /** @param secretKeys the keys to decrypt with, and then only encrypted archives are read; null reads unencrypted archives only */
    public ArchiveReader(PGPSecretKeyRingCollection secretKeys, char[] passphrase) {
        this.secretKeys = secretKeys;
        this.passphrase = passphrase;
    }

    /** Reads and checks the whole archive; throws {@link BackupException} with the reason if it is not intact. */
    public Manifest read(Path archive, Sink sink) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (gzip && secretKeys != null) {
                // anyone who can put a file where the archives are can write an unencrypted one
                throw new BackupException("the archive " + archive.getFileName() + " is not encrypted, but a secret "
                        + "key is configured (mailroom.backup.secret-key): refusing it; to read an old unencrypted "
                        + "archive on purpose, run without the secret key");
            }
            InputStream plain = gzip ? raw : OpenPgpEnvelope.decrypt(raw, secretKeys, passphrase);
            try {
                return readTar(plain, sink);
            } catch (UnpackException e) {
                throw e;
            } catch (BackupException e) {
                throw new BackupException("the archive " + archive.getFileName() + " is damaged: " + e.getMessage(), e);
            }
        } catch (NoSuchFileException e) {
            throw new BackupException("no such archive: " + archive, e);
        } catch (BackupException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BackupException("the archive " + archive.getFileName() + " is damaged or truncated: "
                    + OpenPgpEnvelope.describe(e), e);
        }
    }

    private Manifest readTar(InputStream plain, Sink sink) throws IOException {
        GzipCompressorInputStream gz = new GzipCompressorInputStream(plain);
        TarArchiveInputStream tar = new TarArchiveInputStream(gz);
        Map<String, Manifest.Member> seen = new LinkedHashMap<>();
        Manifest manifest = null;
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName();
            if (manifest != null) {
                throw new BackupException("the archive has a member after " + Manifest.NAME + ": " + safe(name));
            }
            if (!e.isFile() || e.isLink() || e.isSymbolicLink()) {
                throw new BackupException("the archive holds a non-file member: " + safe(name));
            }
            if (seen.containsKey(name)) {
                throw new BackupException("the archive holds " + safe(name) + " twice");
            }
            MessageDigest sha = ArchiveWriter.sha256();
            CountingDigestStream content = new CountingDigestStream(tar, sha);
            if (name.equals(Manifest.NAME)) {
                if (e.getSize() > MAX_JSON) {
                    throw new BackupException(Manifest.NAME + " is too large");
                }
                manifest = json.readValue(tar.readAllBytes(), Manifest.class);
                continue;
            }
            if (!name.equals(ArchiveLayout.ACCOUNTS) && !ArchiveLayout.isKeyMember(name)
                    && ArchiveLayout.mailPath(name).isEmpty()) {
                throw new BackupException("the archive holds an unexpected member: " + safe(name));
            }
            if (name.equals(ArchiveLayout.ACCOUNTS) && e.getSize() > MAX_JSON) {
                throw new BackupException(ArchiveLayout.ACCOUNTS + " is too large");
            }
            try {
                sink.member(name, e.getSize(), content);
            } catch (ArchiveReadException ex) {
                throw ex; // the archive's fault, reported as damage
            } catch (IOException ex) {
                // the sink's fault (full disk while restoring...): not damage of the archive
                throw new UnpackException("cannot unpack " + safe(name) + ": " + OpenPgpEnvelope.describe(ex), ex);
            }
            content.transferTo(OutputStreamNull.INSTANCE);
            if (content.count != e.getSize()) {
                throw new BackupException("member " + safe(name) + " is truncated");
            }
            seen.put(name, new Manifest.Member(name, content.count, HexFormat.of().formatHex(sha.digest())));
        }
        if (manifest == null) {
            throw new BackupException("the archive is truncated: it ends before " + Manifest.NAME);
        }
        // read to the very end: checks the gzip CRC and, when encrypted, the OpenPGP integrity packet
        gz.transferTo(OutputStreamNull.INSTANCE);
        plain.transferTo(OutputStreamNull.INSTANCE);
        if (manifest.format() != Manifest.FORMAT) {
            throw new BackupException("unsupported archive format " + manifest.format());
        }
        Map<String, Manifest.Member> listed = new LinkedHashMap<>();
        for (Manifest.Member m : manifest.members()) {
            listed.put(m.name(), m);
        }
        for (Manifest.Member m : listed.values()) {
            Manifest.Member got = seen.get(m.name());
            if (got == null) {
                throw new BackupException("member " + safe(m.name()) + " listed in the manifest is missing");
            }
            if (got.size() != m.size() || !got.sha256().equalsIgnoreCase(m.sha256())) {
                throw new BackupException("member " + safe(m.name()) + " does not match its SHA-256 in the manifest");
            }
        }
        for (String name : seen.keySet()) {
            if (!listed.containsKey(name)) {
                throw new BackupException("member " + safe(name) + " is not listed in the manifest");
            }
        }
        return manifest;
    }

    private static String safe(String name) {
        String s = name.replaceAll("[\\x00-\\x1f\\x7f]", "?");
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** Counts and hashes what is read through it; does not close the tar stream. */
    private static final class CountingDigestStream extends InputStream {
        private final InputStream in;
        private final MessageDigest sha;
        long count;

        CountingDigestStream(InputStream in, MessageDigest sha) {
            this.in = in;
            this.sha = sha;
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = in.read();
            } catch (IOException e) {
                throw new ArchiveReadException(e);
            }
            if (b >= 0) {
                sha.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new ArchiveReadException(e);
            }
            if (n > 0) {
                sha.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public void close() {
            // the next member follows in the same stream
        }
    }

    /** Reading the archive failed (damage, truncation) while a sink was reading a member. */
    private static final class ArchiveReadException extends IOException {
        ArchiveReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A sink could not store a member (e.g. no space left while restoring); the archive may be fine. */
    public static final class UnpackException extends BackupException {
        UnpackException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
