package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups taken while one thread delivers over LMTP and another changes flags over IMAP (which
 * renames files new→cur and within cur) restore to a consistent state: every restored file is a
 * whole message that was delivered, none twice, and none confirmed before the backup is missing.
 */
class ConcurrentDeliveryIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path work;

    static Installation inst;
    static final List<String> USERS = List.of("dan@example.test", "eve@example.test");
    static final String PASSWORD = "concurrent secret";

    @BeforeAll
    static void setUp() throws Exception {
        inst = new Installation(mail, work);
        inst.store.createDomain("example.test");
        for (String u : USERS) {
            inst.store.createUser(u, PASSWORD);
        }
    }

    @AfterAll
    static void tearDown() {
        inst.close();
    }

    @Test
    void backupsDuringDeliveryRestoreToWholeDeliveredMessages() throws Exception {
        BackupSettings settings = inst.settings.withAllowUnencrypted(true);
        Map<String, String> attempted = new ConcurrentHashMap<>(); // Message-ID -> body hash
        Map<String, String> confirmedTo = new ConcurrentHashMap<>(); // Message-ID -> user, after the 250
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger flagRounds = new AtomicInteger();

        Thread deliverer = Thread.ofPlatform().start(() -> {
            Random rnd = new Random(42);
            try {
                for (int i = 0; !stop.get(); i++) {
                    String user = USERS.get(i % USERS.size());
                    StringBuilder body = new StringBuilder();
                    int lines = 1 + rnd.nextInt(i % 5 == 0 ? 3000 : 40); // some messages of ~200 KB
                    for (int l = 0; l < lines; l++) {
                        body.append("message ").append(i).append(" line ").append(l).append(' ')
                                .append(Long.toHexString(rnd.nextLong())).append("\r\n");
                    }
                    byte[] m = Installation.message(user, "c" + i, body.toString());
                    attempted.put("<c" + i + "@example.org>", Installation.bodyHash(m));
                    inst.deliver(user, m);
                    confirmedTo.put("<c" + i + "@example.org>", user);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread flagger = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) {
                    for (String u : USERS) {
                        toggleFlags(u, flagRounds.get() % 2 == 0);
                    }
                    flagRounds.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });

        List<BackupJob.Report> reports = new ArrayList<>();
        Set<String> confirmedBeforeLast = Set.of();
        try {
            waitFor(() -> confirmedTo.size() >= 30 && flagRounds.get() >= 2, failure);
            int atFirstBackup = confirmedTo.size();
            // at least three backups, and enough of them that mail arrived while they ran
            while (reports.size() < 3 || (confirmedTo.size() - atFirstBackup < 10 && reports.size() < 20)) {
                confirmedBeforeLast = new HashSet<>(confirmedTo.keySet());
                reports.add(inst.job(settings).run());
            }
            assertThat(confirmedTo.size() - atFirstBackup).as("messages delivered during the backups")
                    .isGreaterThanOrEqualTo(10);
        } finally {
            stop.set(true);
            deliverer.join(20_000);
            flagger.join(20_000);
        }
        assertThat(failure.get()).isNull();
        BackupJob.Report last = reports.get(reports.size() - 1);
        assertThat(last.manifest().counts().messages()).isGreaterThanOrEqualTo(confirmedBeforeLast.size());

        for (BackupJob.Report r : reports) {
            inst.job(settings).verify(r.archive());
        }
        inst.wipe();
        Restorer.Report restored = inst.job(settings).restore(last.archive(), false, false);
        assertThat(restored.messagesRestored()).isEqualTo(last.manifest().counts().messages());

        // on disk: each restored file is a whole delivered message, once, in the right mailbox
        Map<String, Set<String>> onDisk = new HashMap<>();
        int files = 0;
        for (String u : USERS) {
            String local = u.substring(0, u.indexOf('@'));
            Set<String> ids = new HashSet<>();
            try (Stream<Path> s = Files.walk(inst.mailRoot.resolve("example.test").resolve(local).resolve("Maildir"))) {
                for (Path p : s.filter(p -> Files.isRegularFile(p) && (p.getParent().endsWith("cur")
                        || p.getParent().endsWith("new"))).toList()) {
                    byte[] m = Files.readAllBytes(p);
                    String id = Installation.messageId(m);
                    assertThat(attempted).as("restored %s was delivered", p.getFileName()).containsKey(id);
                    assertThat(Installation.bodyHash(m)).as("body of %s is whole", id).isEqualTo(attempted.get(id));
                    assertThat(ids.add(id)).as("%s restored once", id).isTrue();
                    files++;
                }
            }
            onDisk.put(u, ids);
        }
        assertThat(files).isEqualTo(restored.messagesRestored());
        for (String id : confirmedBeforeLast) {
            assertThat(onDisk.get(confirmedTo.get(id))).as("confirmed before the backup: %s", id).contains(id);
        }
        // and Dovecot serves exactly these messages
        for (String u : USERS) {
            Map<String, String> inbox = inst.inbox(u, PASSWORD);
            assertThat(inbox.keySet()).isEqualTo(onDisk.get(u));
            inbox.forEach((id, hash) -> assertThat(hash).isEqualTo(attempted.get(id)));
        }
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), USERS.get(0), PASSWORD)).isTrue();
    }

    private static void toggleFlags(String user, boolean on) throws Exception {
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        try (Store store = Session.getInstance(p).getStore("imap")) {
            store.connect("127.0.0.1", mail.dovecot().imapPort(), user, PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] all = inbox.getMessages();
            inbox.setFlags(all, new Flags(Flags.Flag.SEEN), true);
            inbox.setFlags(all, new Flags(Flags.Flag.FLAGGED), on);
            inbox.close(false);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, AtomicReference<Throwable> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (failure.get() != null) {
                throw new AssertionError("a mail thread failed", failure.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("mail threads made no progress");
            }
            Thread.sleep(50);
        }
    }
}
