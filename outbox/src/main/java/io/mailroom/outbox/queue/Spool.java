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
 *   &lt;id&gt;.msg    written once at submission: one line of JSON (the initial {@link QueuedMessage}:
 *                 envelope and per-recipient state), then the message as it will be sent (CRLF)
 *   &lt;id&gt;.json   the current state once it differs from the initial one (attempts, results)
 *   .tmp-*        files being written; removed at start
 * </pre>
 * Writes are crash-safe and cost two fsyncs per accepted message: the {@code .msg} file is
 * written to a temp name, fsync'd, renamed and the directory fsync'd; only then does the caller
 * answer 250. State updates go to a temp file, fsync, rename over {@code <id>.json}, directory
 * fsync. On start the {@code .json} state wins over the initial one in the {@code .msg} file.
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
        Path tmp = dir.resolve(".tmp-" + m.id() + ".msg");
        byte[] head = JSON.writeValueAsBytes(m);
        byte[] all = new byte[head.length + 1 + message.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = '\n';
        System.arraycopy(message, 0, all, head.length + 1, message.length);
        writeSynced(tmp, all);
        Files.move(tmp, msgPath(m.id()), StandardCopyOption.ATOMIC_MOVE);
        syncDir();
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
        byte[] all = Files.readAllBytes(msgPath(id));
        int nl = 0;
        while (nl < all.length && all[nl] != '\n') {
            nl++;
        }
        return java.util.Arrays.copyOfRange(all, Math.min(nl + 1, all.length), all.length);
    }

    /**
     * Removes a finished message (the message file last: it alone would be recovered with its
     * initial state). The directory is not fsync'd here, as Postfix does not either: a removal lost
     * to a power failure (not to a process crash) only means one more delivery after the reboot.
     */
    public void remove(String id) throws IOException {
        Files.deleteIfExists(jsonPath(id));
        Files.deleteIfExists(msgPath(id));
    }

    /** Loads every committed message (latest state) and deletes temp files and stray state files. */
    public List<QueuedMessage> recover() throws IOException {
        List<QueuedMessage> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".tmp-")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(".json") && !Files.exists(msgPath(name.substring(0, name.length() - 5)))) {
                    Files.deleteIfExists(p); // its message was removed; the crash came before the state went
                } else if (name.endsWith(".msg")) {
                    String id = name.substring(0, name.length() - 4);
                    try {
                        Path state = jsonPath(id);
                        QueuedMessage m = Files.exists(state) ? JSON.readValue(state.toFile(), QueuedMessage.class)
                                : JSON.readValue(firstLine(p), QueuedMessage.class);
                        String problem = problem(m, id);
                        if (problem != null) {
                            throw new IOException(problem);
                        }
                        out.add(m);
                    } catch (IOException e) {
                        LOG.errorf("unreadable spool entry %s kept aside: %s", name, e.getMessage());
                        Files.move(p, dir.resolve(name + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        syncDir();
        return out;
    }

    /**
     * Why a parsed state cannot be queued, or null. JSON that parses may still be cut short or
     * belong to another file; queued as is it would fail every attempt (or stop the start) instead
     * of being kept aside.
     */
    private static String problem(QueuedMessage m, String id) {
        if (m == null) {
            return "no state";
        }
        if (!id.equals(m.id())) {
            return "state of another message (" + m.id() + ")";
        }
        if (m.sender() == null || m.arrival() == null || m.recipients().isEmpty()) {
            return "incomplete state";
        }
        for (RecipientState r : m.recipients()) {
            if (r == null || r.address() == null || r.address().indexOf('@') < 1 || r.status() == null) {
                return "incomplete recipient state";
            }
        }
        return null;
    }

    private static byte[] firstLine(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                b.write(c);
            }
            return b.toByteArray();
        }
    }

    private Path msgPath(String id) {
        return dir.resolve(id + ".msg");
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

    private final Object dirSync = new Object();
    private final java.util.concurrent.atomic.AtomicLong dirRequests = new java.util.concurrent.atomic.AtomicLong();
    private volatile long dirSynced;

    /**
     * fsyncs the directory so that renames are durable. Concurrent callers share one fsync (group
     * commit): a caller whose rename happened before an fsync started is covered by it.
     */
    private void syncDir() throws IOException {
        long mine = dirRequests.incrementAndGet();
        synchronized (dirSync) {
            if (dirSynced >= mine) {
                return;
            }
            long upTo = dirRequests.get();
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
            dirSynced = upTo;
        }
    }
}
