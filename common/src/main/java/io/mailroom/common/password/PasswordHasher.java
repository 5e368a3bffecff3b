package io.mailroom.common.password;

import io.mailroom.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Password hashes in the form Dovecot's {@code BLF-CRYPT} scheme reads: {@code {BLF-CRYPT}$2y$<cost>$...}.
 * Bouncy Castle's OpenBSD bcrypt is used: the JDK has no bcrypt.
 */
public final class PasswordHasher {
    public static final String SCHEME = "{BLF-CRYPT}";
    /** Cost 10: about 60 ms per hash here, the usual default for mail servers. */
    public static final int DEFAULT_COST = 10;
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so refuse them. */
    public static final int MAX_PASSWORD_BYTES = 72;
    public static final int MIN_PASSWORD_LENGTH = 8;

    private static final SecureRandom RANDOM = new SecureRandom();
    private final int cost;

    public PasswordHasher() {
        this(DEFAULT_COST);
    }

    public PasswordHasher(int cost) {
        this.cost = cost;
    }

    public String hash(String password) {
        validate(password);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return SCHEME + OpenBSDBCrypt.generate("2y", password.getBytes(StandardCharsets.UTF_8), salt, cost);
    }

    /** True when the password matches a stored {@code {BLF-CRYPT}} hash; false for any other or malformed hash. */
    public boolean verify(String password, String stored) {
        if (password == null || stored == null || !stored.startsWith(SCHEME)) {
            return false;
        }
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (pw.length > MAX_PASSWORD_BYTES) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(stored.substring(SCHEME.length()), pw);
        } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
            return false;
        }
    }

    public static void validate(String password) {
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException("password is empty");
        }
        if (password.length() < MIN_PASSWORD_LENGTH) {
            throw new InvalidInputException("password shorter than " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new InvalidInputException("password longer than " + MAX_PASSWORD_BYTES + " bytes");
        }
        if (password.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("password contains control characters");
        }
    }

    /** A random password of 20 characters from an alphabet without look-alikes ({@link RandomPasswords}). */
    public static String generate() {
        return RandomPasswords.generate();
    }
}
