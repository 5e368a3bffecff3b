package io.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the CLI does before and without a Controller: usage errors, no token, nothing listening. */
class MailroomCliTest {
    record Result(int code, String out, String err) {}

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MailroomCli.run(args, env, new ByteArrayInputStream(new byte[0]), null, new PrintWriter(out),
                new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        Result r = run(Map.of(), "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("create-user", "generate-cert", "dns-records", "rotate-dkim", "Exit codes:",
                "MAILROOM_TOKEN_FILE");
        assertThat(run(Map.of(), "create-user", "--help").out()).contains("--password-stdin");
    }

    @Test
    void usageErrorsExitWith1InOneLine() {
        Result missing = run(Map.of(), "create-user");
        assertThat(missing.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(missing.err()).startsWith("mailroom-cli: Missing required parameter");
        assertThat(run(Map.of(), "frobnicate").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(run(Map.of(), "list-users", "-o", "yaml").code()).isEqualTo(ExitCodes.INVALID);
        Result badUrl = run(Map.of("MAILROOM_TOKEN", "t"), "--url", "ftp://x", "list-users");
        assertThat(badUrl.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(badUrl.err().strip()).isEqualTo("mailroom-cli: URL must start with http:// or https://");
    }

    @Test
    void noTokenExitsWith4AndNothingListeningWith5() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result noToken = run(Map.of("MAILROOM_URL", "http://127.0.0.1:" + port), "list-users");
        assertThat(noToken.code()).isEqualTo(ExitCodes.AUTH);
        assertThat(noToken.err()).contains("no API token");
        Result down = run(Map.of("MAILROOM_URL", "http://127.0.0.1:" + port, "MAILROOM_TOKEN", "t"), "list-users");
        assertThat(down.code()).isEqualTo(ExitCodes.SERVER);
        assertThat(down.err()).startsWith("mailroom-cli: cannot reach the Controller").hasLineCount(1);
        Result missingFile = run(Map.of("MAILROOM_TOKEN_FILE", "/nonexistent/token"), "list-users");
        assertThat(missingFile.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(missingFile.err()).contains("cannot read the token file");
    }

    @Test
    void generateCertChecksTheOutputFileBeforeAskingForACertificate() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // nothing listens on the port: had the CLI called the API first, this would be "cannot reach" (5)
        Result r = run(Map.of("MAILROOM_URL", "http://127.0.0.1:" + port, "MAILROOM_TOKEN", "t"),
                "generate-cert", "alice@example.test", "--out", "/nonexistent-dir/alice.p12");
        assertThat(r.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(r.err()).startsWith("mailroom-cli: cannot write /nonexistent-dir/alice.p12")
                .contains("no certificate was issued").hasLineCount(1);
    }

    @Test
    void anEndlessResponseIsCutOffNotReadIntoMemory() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    var out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n["
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] chunk = "\"x\",".repeat(10_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    for (long sent = 0; sent < 2 * ApiClient.MAX_RESPONSE_BYTES; sent += chunk.length) {
                        out.write(chunk);
                    }
                    out.write("\"x\"]".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the client hung up: what it should do
                }
            });
            Result r = run(Map.of("MAILROOM_URL", "http://127.0.0.1:" + server.getLocalPort(), "MAILROOM_TOKEN", "t"),
                    "list-domains");
            assertThat(r.code()).isEqualTo(ExitCodes.SERVER);
            assertThat(r.err()).contains("response larger than " + ApiClient.MAX_RESPONSE_BYTES + " bytes")
                    .hasLineCount(1);
            peer.join(10_000);
        }
    }
}
