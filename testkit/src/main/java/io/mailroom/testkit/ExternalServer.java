package io.mailroom.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real server (Redis, Dovecot, Rspamd, Unbound) run as a child process on loopback.
 * Subclasses write their configuration into {@link #workDir()}, name the command line,
 * and say when the server is ready. Output goes to a log file that is attached to
 * failing tests by {@link ServerExtension}.
 */
public abstract class ExternalServer implements AutoCloseable {
    private final String name;
    private Path workDir;
    private Process process;
    private Path logFile;

    protected ExternalServer(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Path workDir() {
        return workDir;
    }

    /** Writes configuration files into the work directory; called before the process starts. */
    protected abstract void configure(Path workDir) throws IOException;

    /** The command line that runs the server in the foreground. */
    protected abstract List<String> command(Path workDir);

    /** True once the server answers real requests. */
    protected abstract boolean ready();

    /** How long the first start may take (Rspamd compiles its regexps on first start). */
    protected Duration startTimeout() {
        return Duration.ofSeconds(60);
    }

    /** Debian package that provides the server binary, for the error message when it is missing. */
    protected abstract String debianPackage();

    protected abstract String binary();

    /** Further log files written by the server itself (besides its stdout/stderr). */
    protected List<Path> extraLogs() {
        return List.of();
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        requireBinary(binary(), debianPackage());
        long started = System.nanoTime();
        try {
            if (workDir == null) {
                workDir = Files.createTempDirectory("mailroom-" + name + "-");
            }
            configure(workDir);
            logFile = workDir.resolve(name + ".out");
            ProcessBuilder pb = new ProcessBuilder(command(workDir))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        waitUntil(this::ready, startTimeout(), name + " did not become ready");
        System.out.printf("[testkit] %s ready in %d ms (%s)%n", name, (System.nanoTime() - started) / 1_000_000, workDir);
    }

    /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops and starts the server again with a freshly written configuration, on the same ports. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Kills the server at once, as a crash would (SIGKILL, no clean-up). */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** The server's process and its children (workers), while it runs; empty otherwise. */
    public synchronized Stream<ProcessHandle> processes() {
        if (process == null || !process.isAlive()) {
            return Stream.empty();
        }
        return Stream.concat(Stream.of(process.toHandle()), process.descendants());
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    /** The last lines of every log this server wrote, for failure reports. */
    public String logTail(int lines) {
        StringBuilder sb = new StringBuilder();
        List<Path> logs = new ArrayList<>();
        if (logFile != null) {
            logs.add(logFile);
        }
        logs.addAll(extraLogs());
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            try {
                List<String> all = Files.readAllLines(log);
                sb.append("---- ").append(name).append(": ").append(log).append(" (last ").append(lines).append(" lines)\n");
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> sb.append(l).append('\n'));
            } catch (IOException e) {
                sb.append("---- cannot read ").append(log).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }

    protected void failIfExited() {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException(name + " exited with status " + process.exitValue() + "\n" + logTail(40));
        }
    }

    protected void waitUntil(BooleanSupplier condition, Duration timeout, String message) {
        Instant deadline = Instant.now().plus(timeout);
        long pause = 10;
        while (Instant.now().isBefore(deadline)) {
            failIfExited();
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException ignored) {
                // not ready yet
            }
            // fast servers (Unbound, Redis) are ready within milliseconds; slow ones are not polled in a busy loop
            sleep(pause);
            pause = Math.min(100, pause * 2);
        }
        throw new IllegalStateException(message + " within " + timeout.toSeconds() + " s\n" + logTail(40));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** True when a TCP connection to the loopback port succeeds. */
    protected static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Finds an executable on the PATH or in the sbin directories, else explains what to install. */
    public static String requireBinary(String binary, String debianPackage) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
                return Path.of(dir, binary).toString();
            }
        }
        throw new IllegalStateException(binary + " not found: install the Debian package " + debianPackage
                + " (./mailroom test installs it when run as root)");
    }

    /** True when this JVM runs as root; servers then drop privileges to system users. */
    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
