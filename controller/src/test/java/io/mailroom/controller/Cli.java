package io.mailroom.controller;

import io.mailroom.cli.MailroomCli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs mailroom-cli in-process, exactly as its main method does, and captures what it prints. */
final class Cli {
    record Result(int exitCode, String out, String err) {}

    private Cli() {}

    /** With MAILROOM_URL and MAILROOM_TOKEN set to the test Controller. */
    static Result run(URI base, String... args) {
        return run(Map.of("MAILROOM_URL", base.toString(), "MAILROOM_TOKEN", ControllerServers.TOKEN), "", args);
    }

    static Result run(Map<String, String> env, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MailroomCli.run(args, new HashMap<>(env),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), null, new PrintWriter(out),
                new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }
}
