package io.mailroom.outbox.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The Outbox as a separate JVM ({@code OutboxMain}), so that a test can really kill -9 it. */
public final class OutboxProcess implements AutoCloseable {
    private final Process process;
    public final int submissionPort;
    public final int submissionsPort;
    /** The queue admin API's port, 0 when it is off. */
    public final int adminPort;

    public OutboxProcess(Map<String, String> props, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        for (var e : props.entrySet()) {
            cmd.add("-D" + e.getKey() + "=" + e.getValue());
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.mailroom.outbox.OutboxMain");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        int[] ports = null;
        while ((line = r.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("READY ")) {
                String[] p = line.split(" ");
                ports = new int[] {Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3])};
                break;
            }
        }
        if (ports == null) {
            throw new IllegalStateException("outbox did not start:\n" + seen);
        }
        submissionPort = ports[0];
        submissionsPort = ports[1];
        adminPort = ports[2];
        Files.writeString(log, seen);
        // keep draining its output so that it never blocks on a full pipe
        Thread.ofVirtual().start(() -> {
            try (var in = process.getInputStream(); var out = Files.newOutputStream(log,
                    java.nio.file.StandardOpenOption.APPEND)) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // process gone
            }
        });
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut for the process. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
