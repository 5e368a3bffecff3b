package io.mailroom.operator.podman;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The podman command line, with the project's own podman settings ({@code CONTAINERS_CONF}), a time
 * limit on every call and its output kept for error messages. Podman has no Java client that works
 * without its REST service, and the CLI is what a user runs too.
 */
public final class Podman {
    private final Path containersConf;

    public Podman(Path containersConf) {
        if (!Files.isRegularFile(containersConf)) {
            throw new IllegalArgumentException("podman settings not found: " + containersConf);
        }
        this.containersConf = containersConf;
    }

    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** Runs {@code podman args...}; a non-zero exit is returned, not thrown. */
    public Result exec(Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("CONTAINERS_CONF", containersConf.toString());
        try {
            Path out = Files.createTempFile("podman", ".out");
            try {
                Process p = pb.redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    return new Result(124, "podman " + String.join(" ", args) + ": no answer within " + timeout);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("error=2")) {
                throw new IllegalStateException("podman is not installed; as root: apt-get install -y podman "
                        + "aardvark-dns catatonit runc", e);
            }
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Result exec(String... args) {
        return exec(Duration.ofMinutes(2), List.of(args));
    }

    /** Like {@link #exec(String...)}, but a failure is an exception carrying podman's own message. */
    public String check(String... args) {
        Result r = exec(args);
        if (!r.ok()) {
            throw new IllegalStateException("podman " + String.join(" ", args) + " failed (" + r.exit + "): "
                    + r.output);
        }
        return r.output;
    }

    /** The first three octets of every IPv4 /24 (or wider) subnet a podman network of this host uses. */
    public java.util.Set<String> usedPrefixes() {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (String n : check("network", "ls", "--format", "{{.Name}}").lines().toList()) {
            String subnets = exec("network", "inspect", "-f", "{{range .Subnets}}{{.Subnet}} {{end}}", n).output();
            for (String s : subnets.split("\\s+")) {
                if (s.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
                    used.add(s.substring(0, s.lastIndexOf('.')));
                }
            }
        }
        return used;
    }

    public boolean imageExists(String image) {
        return exec("image", "exists", image).ok();
    }
}
