package io.mailroom.controller;

import io.mailroom.common.ConflictException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.jboss.logging.Logger;

/** Removes a deleted user's mailbox directory (Maildir under the mail root) when asked to purge. */
@ApplicationScoped
public class Mailboxes {
    private static final Logger LOG = Logger.getLogger(Mailboxes.class);

    @Inject
    AccountStore store;

    /** The directory {@link #purge} would delete; refuses (409) a home that is not the user's own directory. */
    public Path purgeTarget(User user) {
        Path root = store.settings().mailRoot().toAbsolutePath().normalize();
        Path home = Path.of(user.record().home()).toAbsolutePath().normalize();
        Path expected = root.resolve(user.address().domain()).resolve(user.address().localPart()).normalize();
        if (!home.equals(expected) || !home.startsWith(root)) {
            throw new ConflictException("mailbox of " + user.address() + " is not its own directory under the mail root;"
                    + " not purged");
        }
        return home;
    }

    /**
     * Deletes the user's home directory; only ever the user's own {@code <mail root>/<domain>/<local>},
     * so a damaged record can never purge a whole domain, another user or anything outside the root.
     */
    public boolean purge(User user) {
        Path home = purgeTarget(user);
        if (!Files.isDirectory(home)) {
            return false;
        }
        try {
            Files.walkFileTree(home, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new MailRoomException("cannot purge the mailbox of " + user.address() + ": " + e.getMessage(), e);
        }
        LOG.infof("purged mailbox of %s", user.address());
        return true;
    }
}
