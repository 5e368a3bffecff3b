package io.mailroom.mailauth.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the reference implementations (dkimpy, Mail::DKIM, OpenDKIM) through the helper scripts in test resources. */
public final class PeerTools {
    /** What a peer process printed and its exit status. */
    public record Run(int exit, String out, String err) {
        public List<String> lines() {
            return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        }
    }

    private final Path dir;

    public PeerTools(Path dir) {
        this.dir = dir;
        for (String name : List.of("dkimpy_tool.py", "maildkim_tool.pl", "fakedns.py", "opendkim_verify.sh", "opendkim_sign.py")) {
            try (InputStream in = PeerTools.class.getResourceAsStream("/interop/" + name)) {
                Path p = dir.resolve(name);
                Files.write(p, in.readAllBytes());
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public Path file(String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a DNS table (name -> TXT text) as JSON. */
    public Path dns(String name, Map<String, String> records) {
        StringBuilder b = new StringBuilder("{");
        records.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(json(k)).append(':').append(json(v)));
        return file(name, b.append('}').toString());
    }

    private static String json(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    public Run python(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", dir.resolve("dkimpy_tool.py").toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    Run perl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/perl", dir.resolve("maildkim_tool.pl").toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** opendkim-testmsg in signing mode (stdin -> stdout). */
    Run opendkimSign(Path message, Path key, String selector, String domain) {
        return run(List.of("/usr/sbin/opendkim-testmsg", "-C", "-d", domain, "-k", key.toString(), "-s", selector), message);
    }

    /** libopendkim signing (rsa-sha256 or ed25519-sha256) through ctypes. */
    Run opendkimLibSign(Path message, Path pemKey, String selector, String domain, String algorithm) {
        return run(List.of("/usr/bin/python3", dir.resolve("opendkim_sign.py").toString(), message.toString(), pemKey.toString(), selector, domain, algorithm));
    }

    /** opendkim-testmsg verification in a private network namespace with a fake DNS server. */
    Run opendkimVerify(Path messageLf, Path dnsJson) {
        return run(List.of("/bin/sh", dir.resolve("opendkim_verify.sh").toString(), messageLf.toString(), dnsJson.toString()));
    }

    Run run(List<String> cmd) {
        return run(cmd, null);
    }

    Run run(List<String> cmd, Path stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            if (stdin != null) pb.redirectInput(stdin.toFile());
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("peer timed out: " + cmd);
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
