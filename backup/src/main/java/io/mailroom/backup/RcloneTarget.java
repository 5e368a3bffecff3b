package io.mailroom.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Copies archives to an rclone remote ({@code remote:path}) by running {@code rclone} as a child
 * process, and applies retention there. rclone's own configuration holds the remote's
 * credentials; nothing of it is logged (only the last lines of rclone's output on failure).
 */
public final class RcloneTarget {
    private static final int MAX_OUTPUT = 64 * 1024;
    private static final java.util.regex.Pattern CONNECTION_PARAMETER =
            java.util.regex.Pattern.compile("(,[^,=:]+=)(\"[^\"]*\"|'[^']*'|[^,:]*)");

    private final String binary;
    private final String remote;
    private final Path config;
    private final Duration timeout;

    public RcloneTarget(String binary, String remote, Path config, Duration timeout) {
        this.binary = binary;
        this.remote = remote;
        this.config = config;
        this.timeout = timeout;
    }

    public String remote() {
        return remote;
    }

    /**
     * The remote as logs and messages show it: the parameter values of an rclone connection
     * string ({@code :s3,access_key_id=...,secret_access_key=...:bucket}) are replaced by {@code ***}.
     */
    public String display() {
        return CONNECTION_PARAMETER.matcher(remote).replaceAll("$1***");
    }

    /** {@code rclone copy <archive> <remote>}: the archive lands under its own name. */
    public void upload(Path archive) {
        run(List.of("copy", archive.toString(), remote));
    }

    public List<String> list() {
        String out = run(List.of("lsf", "--files-only", remote));
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    public void delete(String name) {
        run(List.of("deletefile", remote + (remote.endsWith(":") || remote.endsWith("/") ? "" : "/") + name));
    }

    private String run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        if (config != null) {
            cmd.add("--config");
            cmd.add(config.toString());
        }
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BackupException("cannot run " + binary + " (is rclone installed?): "
                    + OpenPgpEnvelope.describe(e), e);
        }
        try {
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> drain(p.getInputStream(), out));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new BackupException("rclone " + args.get(0) + " to " + display() + " did not finish within " + timeout);
            }
            reader.join(5000);
            String output;
            synchronized (out) {
                output = out.toString(StandardCharsets.UTF_8);
            }
            if (p.exitValue() != 0) {
                throw new BackupException("rclone " + args.get(0) + " to " + display() + " failed (exit "
                        + p.exitValue() + "): " + lastLines(output, 5));
            }
            return output;
        } catch (IOException e) {
            throw new BackupException("rclone " + args.get(0) + " failed: " + OpenPgpEnvelope.describe(e), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackupException("rclone " + args.get(0) + " was interrupted", e);
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    if (out.size() < MAX_OUTPUT) {
                        out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private static String lastLines(String output, int n) {
        String[] lines = output.strip().split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
            sb.append(i > Math.max(0, lines.length - n) ? " | " : "").append(lines[i].strip());
        }
        return sb.length() == 0 ? "(no output)" : sb.toString();
    }
}
