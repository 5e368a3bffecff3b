package io.mailroom.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names inside and of an archive. Members:
 * <pre>
 *   accounts.json                                         the account store ({@code AccountSnapshot})
 *   keys/dkim/&lt;domain&gt;/&lt;selector&gt;.key, keys/ca/ca.crt, keys/ca/ca.key
 *   mail/&lt;domain&gt;/&lt;local&gt;/Maildir/[.&lt;folder&gt;/](cur|new)/&lt;message file&gt;
 *   mail/&lt;domain&gt;/&lt;local&gt;/Maildir/[.&lt;folder&gt;/](dovecot-uidlist|dovecot-keywords|maildirfolder)
 *   mail/&lt;domain&gt;/&lt;local&gt;/Maildir/subscriptions
 *   manifest.json                                         always last
 * </pre>
 * A member name outside this layout is refused on restore, so an archive can never write
 * outside the mail root and key directory.
 */
public final class ArchiveLayout {
    public static final String ACCOUNTS = "accounts.json";
    public static final String KEYS = "keys/";
    public static final String MAIL = "mail/";
    static final List<String> MAILDIR_META = List.of("dovecot-uidlist", "dovecot-keywords", "maildirfolder");

    private static final String SEGMENT = "(?!\\.\\.?(?:/|$))[^/\\x00-\\x1f]+";
    private static final Pattern MAIL_MEMBER = Pattern.compile(
            "mail/(" + SEGMENT + ")/(" + SEGMENT + ")/Maildir/((?:\\.(?!\\.?/)[^/\\x00-\\x1f]+/)?)"
                    + "(?:(cur|new)/(" + SEGMENT + ")|(dovecot-uidlist|dovecot-keywords|maildirfolder)|(subscriptions))");
    private static final Pattern KEY_MEMBER = Pattern.compile(
            "keys/(?:dkim/(" + SEGMENT + ")/(" + SEGMENT + ")\\.key|ca/ca\\.crt|ca/ca\\.key)");

    private static final String PREFIX = "mailroom-backup-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern ARCHIVE = Pattern.compile(Pattern.quote(PREFIX)
            + "([0-9]{8}T[0-9]{6}Z)(?:-([0-9]{1,6}))?\\.tar\\.gz(\\.gpg)?");

    private ArchiveLayout() {}

    /** {@code mailroom-backup-20260101T023000Z.tar.gz.gpg} (or {@code .tar.gz} when not encrypted). */
    public static String archiveName(Instant when, boolean encrypted) {
        return PREFIX + STAMP.format(when) + ".tar.gz" + (encrypted ? ".gpg" : "");
    }

    /**
     * The time in an archive's file name, or empty when the file is not one of ours. A second
     * archive of the same second ({@code -1}, {@code -2}...) sorts after the first by a few nanoseconds.
     */
    public static Optional<Instant> archiveTime(String fileName) {
        Matcher m = ARCHIVE.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Instant t = Instant.from(STAMP.parse(m.group(1)));
            return Optional.of(m.group(2) == null ? t : t.plusNanos(Long.parseLong(m.group(2))));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A mail member, parsed. {@code folder} is "" for the INBOX or {@code .Name}; {@code dir} is cur/new or null. */
    public record MailPath(String domain, String local, String folder, String dir, String file) {
        public String relative() {
            return domain + "/" + local + "/Maildir/" + (folder.isEmpty() ? "" : folder + "/")
                    + (dir == null ? "" : dir + "/") + file;
        }

        public boolean isMessage() {
            return dir != null;
        }
    }

    public static Optional<MailPath> mailPath(String member) {
        Matcher m = MAIL_MEMBER.matcher(member);
        if (!m.matches()) {
            return Optional.empty();
        }
        String folder = m.group(3).isEmpty() ? "" : m.group(3).substring(0, m.group(3).length() - 1);
        if (m.group(4) != null) {
            return Optional.of(new MailPath(m.group(1), m.group(2), folder, m.group(4), m.group(5)));
        }
        String meta = m.group(6) != null ? m.group(6) : m.group(7);
        if (meta.equals("subscriptions") && !folder.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MailPath(m.group(1), m.group(2), folder, null, meta));
    }

    public static boolean isKeyMember(String member) {
        return KEY_MEMBER.matcher(member).matches();
    }

    /** The base name of a Maildir message file: what stays when Dovecot renames it (new→cur, flags after ':'). */
    public static String messageBaseName(String file) {
        int colon = file.indexOf(':');
        return colon < 0 ? file : file.substring(0, colon);
    }
}
