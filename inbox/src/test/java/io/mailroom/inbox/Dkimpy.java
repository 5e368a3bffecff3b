package io.mailroom.inbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** dkimpy (Debian's python3-dkim) as the reference DKIM signer and ARC sealer. */
final class Dkimpy {
    record Key(Path privateKey, String dnsRecord) {}

    private Dkimpy() {}

    /** A new RSA key with dknewkey: the PEM file and the TXT record text. */
    static Key newKey(Path dir, String name) throws IOException, InterruptedException {
        run(dir, null, "dknewkey", name);
        return new Key(dir.resolve(name + ".key"), Files.readString(dir.resolve(name + ".dns")).trim());
    }

    static byte[] sign(Path dir, byte[] message, String selector, String domain, Key key) throws Exception {
        return run(dir, message, "/usr/bin/python3", script(dir).toString(), "sign", selector, domain, key.privateKey().toString());
    }

    static byte[] arcSeal(Path dir, byte[] message, String selector, String domain, Key key, String srvId) throws Exception {
        return run(dir, message, "/usr/bin/python3", script(dir).toString(), "arc", selector, domain,
                key.privateKey().toString(), srvId);
    }

    private static Path script(Path dir) throws IOException {
        Path p = dir.resolve("dkim_tool.py");
        if (!Files.exists(p)) {
            try (InputStream in = Dkimpy.class.getResourceAsStream("/dkim_tool.py")) {
                Files.copy(in, p);
            }
        }
        return p;
    }

    private static byte[] run(Path dir, byte[] stdin, String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(c).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
        return out;
    }
}
