package io.mailroom.outbox.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} as a remote MX on a loopback address: every transaction is dumped
 * to its own file (envelope as {@code X-Mail-Args}/{@code X-Rcpt-Args} lines, then the message).
 */
public final class SmtpSink implements AutoCloseable {
    private final Process process;
    private final Path dir;
    public final String address;
    public final int port;

    /** @param extraArgs e.g. {@code -f RCPT} to hard-reject every recipient */
    public SmtpSink(String address, int port, String hostname, String... extraArgs) {
        this.address = address;
        this.port = port;
        try {
            dir = Files.createTempDirectory("smtp-sink-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> cmd = new ArrayList<>(List.of("smtp-sink", "-u", "nobody", "-d", dir.resolve("msg").toString(),
                    "-h", hostname));
            cmd.addAll(List.of(extraArgs));
            if (address.contains(":")) {
                cmd.add("-6");
                cmd.add("[" + address + "]:" + port);
            } else {
                cmd.add(address + ":" + port);
            }
            cmd.add("256");
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sink.log").toFile()).start();
            Instant end = Instant.now().plusSeconds(10);
            while (Instant.now().isBefore(end)) {
                try (Socket s = new Socket(address, port)) {
                    return;
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
            throw new IllegalStateException("smtp-sink did not start on " + address + ":" + port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The dumped transactions (envelope lines + message), as text. */
    public List<String> messages() {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("msg")).sorted().toList()) {
                try {
                    out.add(Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (java.nio.file.NoSuchFileException e) {
                    // smtp-sink removes the dump of a transaction that was aborted (a killed client): not delivered
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until at least {@code n} messages arrived; returns them. */
    public List<String> await(int n, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        List<String> m = messages();
        while (m.size() < n && Instant.now().isBefore(end)) {
            Thread.sleep(100);
            m = messages();
        }
        return m;
    }

    public void clear() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("msg")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
