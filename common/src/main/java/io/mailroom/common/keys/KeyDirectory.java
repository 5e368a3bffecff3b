package io.mailroom.common.keys;

import io.mailroom.common.MailRoomException;
import io.mailroom.common.address.Domains;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one directory that holds key material (DESIGN.md: never in Redis). Locally
 * {@code .mailroom/keys/}, in Kubernetes a Secret volume written by the operator. Layout:
 * <pre>
 *   dkim/&lt;domain&gt;/&lt;selector&gt;.key   DKIM private key, PKCS#8 PEM (RSA or Ed25519)
 *   ca/ca.crt, ca/ca.key                 the installation's client-certificate CA
 * </pre>
 * Files are written atomically with mode 0600.
 */
public final class KeyDirectory {
    private static final Pattern SELECTOR = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private final Path root;

    public KeyDirectory(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** True for a DKIM selector this directory can name a key file after: lower-case dot-separated labels. */
    public static boolean isSelector(String selector) {
        return selector != null && SELECTOR.matcher(selector).matches();
    }

    public Path dkimKey(String domain, String selector) {
        if (!isSelector(selector)) {
            throw new io.mailroom.common.InvalidInputException("invalid DKIM selector " + selector);
        }
        return root.resolve("dkim").resolve(Domains.canonical(domain)).resolve(selector + ".key");
    }

    public Path caCertificate() {
        return root.resolve("ca").resolve("ca.crt");
    }

    public Path caKey() {
        return root.resolve("ca").resolve("ca.key");
    }

    public Optional<String> read(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (IOException e) {
            throw new MailRoomException("cannot read key file " + root.relativize(file), e);
        }
    }

    /** Writes a key file atomically (temp file + rename), readable by the owner only. */
    public void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new MailRoomException("cannot write key file " + root.relativize(file), e);
        }
    }

    public void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new MailRoomException("cannot delete key file " + root.relativize(file), e);
        }
    }
}
