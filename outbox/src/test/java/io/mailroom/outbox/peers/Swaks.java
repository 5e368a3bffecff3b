package io.mailroom.outbox.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real swaks client and returns its exit code and transcript. */
public final class Swaks {
    public record Result(int exit, String transcript) {}

    private Swaks() {}

    public static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--timeout", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("swaks hung");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
