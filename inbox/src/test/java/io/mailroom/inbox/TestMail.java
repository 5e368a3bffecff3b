package io.mailroom.inbox;

import io.mailroom.testkit.DovecotServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Test helpers around the testkit's Dovecot. */
final class TestMail {
    private TestMail() {}

    /** Empties the mail root so every test starts with empty mailboxes. */
    static void deleteMailboxes(Path mailRoot) throws IOException {
        if (!Files.isDirectory(mailRoot)) {
            return;
        }
        try (Stream<Path> all = Files.walk(mailRoot)) {
            all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(mailRoot)).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Starts a killed Dovecot again. A SIGKILLed Dovecot leaves its sockets in the run directory
     * and refuses to start over them ("Socket already exists"), so they are removed first.
     */
    static void restart(DovecotServer dovecot) {
        Path run = dovecot.workDir().resolve("run");
        if (Files.isDirectory(run)) {
            try (Stream<Path> all = Files.walk(run)) {
                all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(run)).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        dovecot.start();
    }
}
