package io.mailroom.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Walks the mail root ({@code <root>/<domain>/<local>/Maildir}) and hands every message file of
 * {@code cur/} and {@code new/} to a sink, while Dovecot keeps delivering and moving mail.
 * Maildir makes this safe without locks: a delivery writes into {@code tmp/} and renames the
 * finished file into {@code new/}, and a message file never changes afterwards, only its name
 * (new→cur, flags after ':'). So {@code tmp/} is skipped, {@code new/} is listed before
 * {@code cur/}, a file that vanished between listing and opening is looked up again by its base
 * name, and a base name is saved once.
 */
final class MaildirCollector {
    /** Receives one file: its archive member name, size and content (exactly {@code size} bytes). */
    interface Sink {
        void file(String member, long size, InputStream content) throws IOException;
    }

    record Totals(int mailboxes, int messages, long messageBytes) {}

    private final Path mailRoot;
    private int mailboxes;
    private int messages;
    private long bytes;

    MaildirCollector(Path mailRoot) {
        this.mailRoot = mailRoot;
    }

    Totals collect(Sink sink) throws IOException {
        if (!Files.isDirectory(mailRoot)) {
            return new Totals(0, 0, 0);
        }
        for (Path domain : children(mailRoot, true)) {
            for (Path user : children(domain, true)) {
                Path maildir = user.resolve("Maildir");
                if (!Files.isDirectory(maildir)) {
                    continue;
                }
                mailboxes++;
                String prefix = ArchiveLayout.MAIL + domain.getFileName() + "/" + user.getFileName() + "/Maildir/";
                collectFolder(maildir, prefix, sink);
                for (Path folder : children(maildir, false)) {
                    String name = folder.getFileName().toString();
                    if (name.startsWith(".") && !name.equals(".") && !name.equals("..") && Files.isDirectory(folder)) {
                        collectFolder(folder, prefix + name + "/", sink);
                    }
                }
                copySmallFile(maildir.resolve("subscriptions"), prefix + "subscriptions", sink);
            }
        }
        return new Totals(mailboxes, messages, bytes);
    }

    private void collectFolder(Path folder, String prefix, Sink sink) throws IOException {
        Set<String> taken = new HashSet<>();
        for (String dir : List.of("new", "cur")) {
            for (Path file : children(folder.resolve(dir), false)) {
                String base = ArchiveLayout.messageBaseName(file.getFileName().toString());
                if (!taken.contains(base)) {
                    copyMessage(folder, dir, file.getFileName().toString(), base, prefix, sink, taken);
                }
            }
        }
        for (String meta : ArchiveLayout.MAILDIR_META) {
            copySmallFile(folder.resolve(meta), prefix + meta, sink);
        }
    }

    private void copyMessage(Path folder, String dir, String name, String base, String prefix, Sink sink,
            Set<String> taken) throws IOException {
        // a few attempts: the file may be renamed again (flags changed) between our look-ups
        for (int attempt = 0; attempt < 3; attempt++) {
            Path file = folder.resolve(dir).resolve(name);
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                Optional<String[]> moved = find(folder, base);
                if (moved.isEmpty()) {
                    return; // expunged meanwhile: nothing to save
                }
                dir = moved.get()[0];
                name = moved.get()[1];
                continue;
            }
            try (ch) {
                if (!Files.isRegularFile(file)) {
                    return;
                }
                long size = ch.size(); // of the open file: a later rename does not matter
                taken.add(base);
                sink.file(prefix + dir + "/" + name, size, Channels.newInputStream(ch));
                messages++;
                bytes += size;
                return;
            }
        }
    }

    /** Where a message with this base name is now: {cur|new, file name}. */
    private static Optional<String[]> find(Path folder, String base) throws IOException {
        for (String dir : List.of("cur", "new")) {
            for (Path f : children(folder.resolve(dir), false)) {
                if (ArchiveLayout.messageBaseName(f.getFileName().toString()).equals(base)) {
                    return Optional.of(new String[] {dir, f.getFileName().toString()});
                }
            }
        }
        return Optional.empty();
    }

    /** Dovecot's index-like files are appended to in place: read them whole, then write what was read. */
    private static void copySmallFile(Path file, String member, Sink sink) throws IOException {
        byte[] content;
        try {
            if (!Files.isRegularFile(file)) {
                return;
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        }
        sink.file(member, content.length, new java.io.ByteArrayInputStream(content));
    }

    private static List<Path> children(Path dir, boolean directoriesOnly) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (directoriesOnly && (n.startsWith(".") || !Files.isDirectory(p))) {
                    continue;
                }
                out.add(p);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }
}
