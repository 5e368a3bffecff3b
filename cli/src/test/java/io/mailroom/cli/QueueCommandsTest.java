package io.mailroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code mailroom-cli queue ...} asks of the Controller: methods, paths and filters. The
 * whole chain (Controller, Outbox, real mail) is QueueCliIT in the controller module; this checks
 * the request line the CLI builds, against a recording HTTP server.
 */
class QueueCommandsTest {
    HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            requests.add(x.getRequestMethod() + " " + x.getRequestURI().getRawPath()
                    + (x.getRequestURI().getRawQuery() == null ? "" : "?" + x.getRequestURI().getRawQuery()));
            byte[] b = (x.getRequestURI().getPath().endsWith("/queue") ? "{\"items\":[]}"
                    : "{\"changed\":[\"a\"],\"busy\":[]}").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MailroomCli.run(args, Map.of("MAILROOM_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "MAILROOM_TOKEN", "t"), new ByteArrayInputStream(new byte[0]), null, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void filtersBecomeQueryParametersAndOperationsArePosts() {
        assertThat(run("queue", "list", "--sender", "alice@example.com", "--domain", "example.net", "--older-than", "2h",
                "--held")).contains("(0 queued messages)");
        run("queue", "hold", "0000000000001-aaaaaaaaaaaa", "0000000000002-bbbbbbbbbbbb");
        assertThat(run("queue", "bounce", "--newer-than", "30m", "--held=false")).startsWith("bounced 1 message");
        assertThat(requests).containsExactly(
                "GET /api/v1/queue?sender=alice@example.com&domain=example.net&older-than=2h&held=true",
                "POST /api/v1/queue/hold?id=0000000000001-aaaaaaaaaaaa&id=0000000000002-bbbbbbbbbbbb",
                "POST /api/v1/queue/bounce?newer-than=30m&held=false");
    }

    @Test
    void helpListsTheQueueCommands() {
        assertThat(run("queue", "--help")).contains("list", "show", "hold", "release", "retry", "drop", "bounce");
        assertThat(run("queue", "list", "--help")).contains("--sender", "--domain", "--older-than", "--newer-than");
    }
}
