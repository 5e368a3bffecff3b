package io.mailroom.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The backup's configuration (see backup/README.md). Read from MicroProfile Config in the
 * service, and from system properties / environment variables in one-shot command mode, with
 * the same names ({@code mailroom.backup.dir} or {@code MAILROOM_BACKUP_DIR}).
 *
 * @param redisUri          the account store's Redis
 * @param mailRoot          Dovecot's mail root ({@code <root>/<domain>/<local>/Maildir})
 * @param keyDir            the key directory (DKIM keys, CA)
 * @param targetDir         local directory (or mounted volume) the archives are written to
 * @param publicKey         OpenPGP public key (armored or binary) the archives are encrypted to, or null
 * @param secretKey         OpenPGP secret key for verify/restore, or null
 * @param passphraseFile    file holding the secret key's passphrase, or null for an unprotected key
 * @param allowUnencrypted  write plain archives when no public key is configured
 * @param rcloneRemote      rclone destination ({@code remote:path}) the archives are copied to, or null
 * @param rcloneConfig      rclone configuration file, or null for rclone's default
 * @param rcloneBinary      the rclone executable
 * @param keepCount         retention: at most this many archives are kept (0 = no limit)
 * @param keepAge           retention: archives older than this are deleted (null = no limit)
 */
public record BackupSettings(String redisUri, Path mailRoot, Path keyDir, Path targetDir, Path publicKey,
        Path secretKey, Path passphraseFile, boolean allowUnencrypted, String rcloneRemote, Path rcloneConfig,
        String rcloneBinary, int keepCount, Duration keepAge) {

    /** Builds the settings from a property lookup ({@code mailroom.backup.dir} → value). */
    public static BackupSettings from(Function<String, Optional<String>> config) {
        Function<String, String> get = k -> config.apply(k).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        String home = get.apply("mailroom.home");
        Path defaultTarget = home != null ? Path.of(home, "backups") : Path.of("/var/backups/mailroom");
        return new BackupSettings(
                orElse(get.apply("mailroom.redis.uri"), "redis://127.0.0.1:6380"),
                Path.of(orElse(get.apply("mailroom.mail-root"), "/var/mail")),
                Path.of(orElse(get.apply("mailroom.key-dir"), "/etc/mailroom/keys")),
                Optional.ofNullable(get.apply("mailroom.backup.dir")).map(Path::of).orElse(defaultTarget),
                path(get.apply("mailroom.backup.public-key")),
                path(get.apply("mailroom.backup.secret-key")),
                path(get.apply("mailroom.backup.secret-key-passphrase-file")),
                Boolean.parseBoolean(orElse(get.apply("mailroom.backup.allow-unencrypted"), "false")),
                get.apply("mailroom.backup.rclone.remote"),
                path(get.apply("mailroom.backup.rclone.config")),
                orElse(get.apply("mailroom.backup.rclone.binary"), "rclone"),
                count(orElse(get.apply("mailroom.backup.retention.count"), "14")),
                age(orElse(get.apply("mailroom.backup.retention.age"), "30d")));
    }

    /** System properties first, then environment variables ({@code mailroom.backup.dir} → {@code MAILROOM_BACKUP_DIR}). */
    public static Optional<String> fromEnvironment(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            v = System.getenv(name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        return Optional.ofNullable(v);
    }

    public BackupSettings withTargetDir(Path dir) {
        return new BackupSettings(redisUri, mailRoot, keyDir, dir, publicKey, secretKey, passphraseFile,
                allowUnencrypted, rcloneRemote, rcloneConfig, rcloneBinary, keepCount, keepAge);
    }

    public BackupSettings withRclone(String remote, Path config) {
        return new BackupSettings(redisUri, mailRoot, keyDir, targetDir, publicKey, secretKey, passphraseFile,
                allowUnencrypted, remote, config, rcloneBinary, keepCount, keepAge);
    }

    public BackupSettings withRetention(int count, Duration age) {
        return new BackupSettings(redisUri, mailRoot, keyDir, targetDir, publicKey, secretKey, passphraseFile,
                allowUnencrypted, rcloneRemote, rcloneConfig, rcloneBinary, count, age);
    }

    public BackupSettings withKeys(Path publicKey, Path secretKey, Path passphraseFile) {
        return new BackupSettings(redisUri, mailRoot, keyDir, targetDir, publicKey, secretKey, passphraseFile,
                allowUnencrypted, rcloneRemote, rcloneConfig, rcloneBinary, keepCount, keepAge);
    }

    public BackupSettings withAllowUnencrypted(boolean allow) {
        return new BackupSettings(redisUri, mailRoot, keyDir, targetDir, publicKey, secretKey, passphraseFile,
                allow, rcloneRemote, rcloneConfig, rcloneBinary, keepCount, keepAge);
    }

    private static String orElse(String v, String fallback) {
        return v == null ? fallback : v;
    }

    private static Path path(String v) {
        return v == null ? null : Path.of(v);
    }

    private static int count(String v) {
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BackupException("mailroom.backup.retention.count must be a number >= 0, not " + v);
    }

    /** {@code 30d}, {@code 12h}, {@code 0} (no limit) or an ISO-8601 duration ({@code P30D}). */
    static Duration age(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        if (s.equals("0") || s.equals("off")) {
            return null;
        }
        try {
            if (s.matches("[0-9]+[dhm]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return switch (s.charAt(s.length() - 1)) {
                    case 'd' -> Duration.ofDays(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofMinutes(n);
                };
            }
            return Duration.parse(v.strip().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new BackupException("mailroom.backup.retention.age must be like 30d, 12h or P30D, not " + v);
        }
    }
}
