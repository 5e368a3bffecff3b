package io.mailroom.outbox.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The durable message store of one Outbox replica. Layout of the spool directory:
 * <pre>
 *   &lt;id&gt;.eml    the message as it will be sent (prepared and signed), CRLF line ends
 *   &lt;id&gt;.json   envelope and per-recipient state ({@link QueuedMessage}); its presence commits the message
 *   .tmp-*        files being written; removed at start
 * </pre>
 * Writes are crash-safe: the message file is fsync'd, then the state is written to a temp file,
 * fsync'd, renamed over {@code <id>.json} and the directory fsync'd. Only then does the caller
 * answer 250. A {@code .eml} without {@code .json} was never acknowledged and is deleted at start.
 */
public final class Spool {
    private static final Logger LOG = Logger.getLogger(Spool.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path dir;

    public Spool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create spool " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public static String newId() {
        byte[] r = new byte[6];
        RANDOM.nextBytes(r);
        return String.format("%013x", System.currentTimeMillis()) + "-" + HexFormat.of().formatHex(r);
    }

    /** Stores a new message durably; returns when both files and the directory entry are on disk. */
    public void store(QueuedMessage m, byte[] message) throws IOException {
        Path tmp = dir.resolve(".tmp-" + m.id() + ".eml");
        writeSynced(tmp, message);
        Files.move(tmp, emlPath(m.id()), StandardCopyOption.ATOMIC_MOVE);
        save(m);
    }

    /** Atomically replaces the state of a message (temp + fsync + rename + directory fsync). */
    public void save(QueuedMessage m) throws IOException {
        Path tmp = dir.resolve(".tmp-" + m.id() + ".json");
        writeSynced(tmp, JSON.writeValueAsBytes(m));
        try {
            Files.move(tmp, jsonPath(m.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the spool's file system cannot rename atomically", e);
        }
        syncDir();
    }

    public byte[] message(String id) throws IOException {
        return Files.readAllBytes(emlPath(id));
    }

    /** Removes a finished message: the state first, so that a crash in between leaves only an orphan .eml. */
    public void remove(String id) throws IOException {
        Files.deleteIfExists(jsonPath(id));
        Files.deleteIfExists(emlPath(id));
        syncDir();
    }

    /** Loads every committed message and deletes temp files and uncommitted message files. */
    public List<QueuedMessage> recover() throws IOException {
        List<QueuedMessage> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".tmp-")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(".eml") && !Files.exists(jsonPath(name.substring(0, name.length() - 4)))) {
                    LOG.infof("removing unacknowledged spool file %s", name);
                    Files.deleteIfExists(p);
                } else if (name.endsWith(".json")) {
                    try {
                        QueuedMessage m = JSON.readValue(p.toFile(), QueuedMessage.class);
                        if (Files.exists(emlPath(m.id()))) {
                            out.add(m);
                        } else {
                            LOG.errorf("spool state %s has no message file; dropped", name);
                            Files.deleteIfExists(p);
                        }
                    } catch (IOException e) {
                        LOG.errorf("unreadable spool state %s kept aside: %s", name, e.getMessage());
                        Files.move(p, dir.resolve(name + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        syncDir();
        return out;
    }

    private Path emlPath(String id) {
        return dir.resolve(id + ".eml");
    }

    private Path jsonPath(String id) {
        return dir.resolve(id + ".json");
    }

    private static void writeSynced(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    private void syncDir() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
