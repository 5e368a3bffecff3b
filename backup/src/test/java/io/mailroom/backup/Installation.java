package io.mailroom.backup;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.lmtp.LmtpClient;
import io.mailroom.common.lmtp.SmtpReply;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A test installation on the testkit's Redis and Dovecot: the store, key directory, backup settings and helpers. */
final class Installation implements AutoCloseable {
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>\\r\\n]+>)");

    final DovecotExtension mail;
    final RedisConnections redis;
    final AccountStore store;
    final KeyDirectory keys;
    final Path mailRoot;
    final BackupSettings settings;

    Installation(DovecotExtension mail, Path work) throws IOException {
        this.mail = mail;
        this.mailRoot = mail.dovecot().mailRoot();
        this.redis = RedisConnections.open(mail.redis().uri());
        this.store = new AccountStore(redis.dataSource(), new StoreSettings(mailRoot, '+', 4));
        this.keys = new KeyDirectory(Files.createDirectories(work.resolve("keys")));
        this.settings = new BackupSettings(mail.redis().uri(), mailRoot, keys.root(), work.resolve("backups"), null,
                null, null, false, null, null, "rclone", 10, Duration.ofDays(30));
    }

    BackupJob job(BackupSettings s) {
        return new BackupJob(s, store, keys);
    }

    /** Empties Redis, the mail root and the key directory: a new, empty installation. */
    void wipe() throws IOException {
        mail.redis().flushAll();
        deleteChildren(mailRoot);
        deleteChildren(keys.root());
    }

    static void deleteChildren(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path child : ds) {
                try (Stream<Path> s = Files.walk(child)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    static byte[] message(String to, String id, String body) {
        return ("From: sender@example.org\r\nTo: " + to + "\r\nSubject: test " + id + "\r\nMessage-ID: <" + id
                + "@example.org>\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    void deliver(String recipient, byte[] message) throws IOException {
        String mailbox = store.resolveRecipient(recipient).orElseThrow().mailbox().toString();
        try (LmtpClient lmtp = LmtpClient.connect("127.0.0.1", mail.dovecot().lmtpPort(), "test.example", 10000)) {
            List<SmtpReply> replies = lmtp.deliver("sender@example.org", List.of(mailbox), message);
            lmtp.quit();
            if (replies.get(0).code() != 250) {
                throw new IOException("delivery refused: " + replies.get(0));
            }
        }
    }

    /** Message-ID → SHA-256 of the body, of a user's INBOX as read over IMAP. */
    Map<String, String> inbox(String user, String password) {
        Map<String, String> out = new TreeMap<>();
        for (byte[] m : ImapMailbox.inbox(mail.dovecot().imapPort(), user, password)) {
            String id = messageId(m);
            if (out.put(id, bodyHash(m)) != null) {
                throw new AssertionError("message " + id + " is twice in the INBOX of " + user);
            }
        }
        return out;
    }

    static String messageId(byte[] message) {
        Matcher m = MESSAGE_ID.matcher(new String(message, StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new AssertionError("message without Message-ID");
        }
        return m.group(1);
    }

    /** SHA-256 of what follows the header (Dovecot adds Return-Path/Delivered-To headers on delivery). */
    static String bodyHash(byte[] message) {
        String s = new String(message, StandardCharsets.ISO_8859_1);
        int i = s.indexOf("\r\n\r\n");
        int j = s.indexOf("\n\n");
        int start = i >= 0 ? i + 4 : j >= 0 ? j + 2 : -1;
        if (start < 0) {
            throw new AssertionError("message without header/body separator");
        }
        String body = s.substring(start).replace("\r\n", "\n");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file under a directory with its content hash: to prove that something was left untouched. */
    static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> !p.equals(dir)).toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isRegularFile(p)) {
                    out.put(rel, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(Files.readAllBytes(p))));
                } else {
                    out.put(rel + "/", "");
                }
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    public void close() {
        redis.close();
    }
}
