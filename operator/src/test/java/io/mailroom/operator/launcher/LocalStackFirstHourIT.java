package io.mailroom.operator.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.operator.Examples;
import io.mailroom.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first hour with {@code ./mailroom up}: the lines it prints, run exactly as printed (a first domain
 * and user, mail from an outside sender, a submission, a backup and its check), {@code status -o json}, and
 * {@code doctor} finding what is wrong. The stack runs on free loopback ports of its own under a temporary
 * {@code MAILROOM_HOME}; the jars are the ones this build made ({@code MAILROOM_UP_NO_BUILD}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackFirstHourIT {
    static final Path ROOT = Examples.root();
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> COMPONENTS =
            List.of("redis", "unbound", "dovecot", "rspamd", "controller", "inbox", "outbox", "backup");
    /** Every port variable of ./mailroom, each given a free port. */
    static final List<String> PORT_VARIABLES = List.of("MAILROOM_INBOX_PORT", "MAILROOM_SUBMISSION_PORT",
            "MAILROOM_SUBMISSIONS_PORT", "MAILROOM_CONTROLLER_PORT", "MAILROOM_IMAPS_PORT", "MAILROOM_LMTP_PORT",
            "MAILROOM_RSPAMD_PORT", "MAILROOM_RSPAMD_CONTROLLER_PORT", "MAILROOM_REDIS_PORT", "MAILROOM_DNS_PORT",
            "MAILROOM_INBOX_HTTP_PORT", "MAILROOM_OUTBOX_HTTP_PORT", "MAILROOM_BACKUP_HTTP_PORT",
            "MAILROOM_OUTBOX_ADMIN_PORT");

    @TempDir
    static Path parent;
    static Path home;
    static final Map<String, String> env = new LinkedHashMap<>();
    static Run up;

    record Run(int exit, String output) {}

    /** A shell command line run from the repository root, as a user with the stack's variables exported types it. */
    static Run sh(Duration timeout, String commandLine, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", commandLine).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(parent, "run", ".out");
        Process p = pb.redirectOutput(out.toFile()).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(commandLine + " did not finish within " + timeout + ":\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    static Run mailroom(Duration timeout, String args) throws Exception {
        return sh(timeout, "./mailroom " + args, null);
    }

    @BeforeAll
    static void up() throws Exception {
        // Dovecot and Unbound drop privileges when started as root: they must reach the state directory
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = parent.resolve("home");
        env.put("MAILROOM_HOME", home.toString());
        // ./mailroom test built the services before these tests ran: no build inside the build
        env.put("MAILROOM_UP_NO_BUILD", "1");
        for (String v : PORT_VARIABLES) {
            env.put(v, String.valueOf(FreePorts.next()));
        }
        up = mailroom(Duration.ofMinutes(6), "up");
        if (up.exit() != 0) {
            throw new AssertionError("./mailroom up failed:\n" + up.output() + logs());
        }
    }

    @AfterAll
    static void down() throws Exception {
        Run down = mailroom(Duration.ofMinutes(2), "down");
        assertThat(down.exit()).as(down.output()).isZero();
        assertThat(mailroom(Duration.ofMinutes(1), "status").output()).doesNotContain("healthy").doesNotContain("starting");
    }

    static String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        Path logs = home.resolve("logs");
        if (Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                for (Path f : files.sorted().toList()) {
                    List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
                    sb.append("\n===== ").append(f.getFileName()).append('\n')
                            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
                }
            }
        }
        return sb.toString();
    }

    /** The line {@code up} printed that starts with {@code prefix} (after its indentation). */
    static String printed(String prefix) {
        return up.output().lines().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("./mailroom up printed no line starting with '" + prefix + "':\n"
                        + up.output()));
    }

    static int port(String variable) {
        return Integer.parseInt(env.get(variable));
    }

    static Path inbox() {
        return home.resolve("mail/example.test/alice/Maildir/new");
    }

    /** Waits until alice's INBOX holds a message containing {@code text}, and returns it. */
    static String awaitMessage(String text) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (Files.isDirectory(inbox())) {
                try (Stream<Path> files = Files.list(inbox())) {
                    for (Path f : files.toList()) {
                        String m = Files.readString(f, StandardCharsets.ISO_8859_1);
                        if (m.contains(text)) {
                            return m;
                        }
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no message with '" + text + "' reached " + inbox() + logs());
    }

    @Test
    @Order(1)
    void statusAsJsonShowsEveryComponentHealthyOnItsPorts() throws Exception {
        Run r = mailroom(Duration.ofMinutes(1), "status -o json");
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode status = JSON.readTree(r.output());
        assertThat(status.path("home").asText()).isEqualTo(home.toString());
        List<JsonNode> components = new ArrayList<>();
        status.path("components").forEach(components::add);
        assertThat(components).extracting(c -> c.path("name").asText()).containsExactlyElementsOf(COMPONENTS);
        for (JsonNode c : components) {
            assertThat(c.path("state").asText()).as(c.toString()).isEqualTo("healthy");
            long pid = c.path("pid").asLong();
            assertThat(ProcessHandle.of(pid)).as(c.toString()).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
        }
        JsonNode outbox = components.get(COMPONENTS.indexOf("outbox")).path("ports");
        assertThat(outbox.path("submission").asInt()).isEqualTo(port("MAILROOM_SUBMISSION_PORT"));
        assertThat(outbox.path("submissions").asInt()).isEqualTo(port("MAILROOM_SUBMISSIONS_PORT"));
        assertThat(components.get(COMPONENTS.indexOf("inbox")).path("ports").path("smtp").asInt())
                .isEqualTo(port("MAILROOM_INBOX_PORT"));
        assertThat(components.get(COMPONENTS.indexOf("redis")).path("ports").path("redis").asInt())
                .isEqualTo(port("MAILROOM_REDIS_PORT"));
        assertThat(mailroom(Duration.ofMinutes(1), "status -o yaml").exit()).isNotZero();
    }

    @Test
    @Order(2)
    void thePrintedSwaksLinesDeliverMailFromOutsideAndASubmission() throws Exception {
        String account = String.join("\n", printed("export MAILROOM_URL="), printed("./cli/mailroom-cli add-domain"),
                printed("./cli/mailroom-cli create-user"));
        Run created = sh(Duration.ofMinutes(3), account, null);
        assertThat(created.exit()).as(created.output()).isZero();
        Matcher password = Pattern.compile("password: (\\S+)").matcher(created.output());
        assertThat(password.find()).as(created.output()).isTrue();

        // an outside sender: its domain does not exist for the local Unbound, so SPF is none, not a DNS error
        String inbound = printed("swaks --server 127.0.0.1:" + port("MAILROOM_INBOX_PORT"));
        assertThat(inbound).contains("--from friend@example.com");
        Run sent = sh(Duration.ofMinutes(2), inbound, null);
        assertThat(sent.exit()).as(sent.output()).isZero();
        assertThat(sent.output()).contains("<-  250 2.0.0 Ok: queued as").doesNotContain("4.7.24");
        String delivered = awaitMessage("Return-Path: <friend@example.com>");
        assertThat(delivered).contains("spf=none smtp.mailfrom=friend@example.com").contains("Delivered-To: alice@example.test");

        // submission: swaks asks for the password, as it would at a terminal
        String submission = printed("swaks --server 127.0.0.1:" + port("MAILROOM_SUBMISSION_PORT"));
        assertThat(submission).contains("--tls").contains("--auth-user alice@example.test");
        Run submitted = sh(Duration.ofMinutes(2), submission, password.group(1) + "\n");
        assertThat(submitted.exit()).as(submitted.output()).isZero();
        assertThat(submitted.output()).contains("<~  235 ").contains("<~  250 2.0.0 Ok: queued as");
        assertThat(awaitMessage("Return-Path: <alice@example.test>")).contains("DKIM-Signature:");
    }

    @Test
    @Order(3)
    void backupNowThenVerifyAsPrinted() throws Exception {
        String line = printed("./mailroom backup now");
        assertThat(line).isEqualTo("./mailroom backup now && ./mailroom backup verify");
        Run r = sh(Duration.ofMinutes(3), line, null);
        assertThat(r.exit()).as(r.output()).isZero();
        Matcher written = Pattern.compile("(\\S+/mailroom-backup-\\d{8}T\\d{6}Z\\.tar\\.gz\\.gpg): \\d+ bytes, (\\d+) messages")
                .matcher(r.output());
        assertThat(written.find()).as(r.output()).isTrue();
        assertThat(Path.of(written.group(1))).isRegularFile().hasParent(home.resolve("backups"));
        assertThat(r.output()).contains(written.group(1) + " is intact:")
                .contains(written.group(2) + " messages in 1 mailboxes, 1 users");
        Run list = mailroom(Duration.ofMinutes(1), "backup list");
        assertThat(list.output()).contains(written.group(1));
        // what a user mistypes gets the usage line, not a stack trace
        Run wrong = mailroom(Duration.ofMinutes(1), "backup frobnicate");
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.output()).contains("usage: ./mailroom backup now").doesNotContain("Exception");
    }

    @Test
    @Order(4)
    void doctorFindsAStoppedComponentAndAPortInUse() throws Exception {
        Run fine = mailroom(Duration.ofMinutes(2), "doctor");
        assertThat(fine.exit()).as(fine.output()).isZero();
        assertThat(fine.output()).contains("ok     backup is healthy").contains("TLS certificate valid until")
                .contains("no problems found");

        // the backup service stops, and something else takes its HTTP port
        long pid = Long.parseLong(Files.readString(home.resolve("run/backup.pid")).strip());
        ProcessHandle backup = ProcessHandle.of(pid).orElseThrow();
        backup.destroy();
        backup.onExit().get(60, TimeUnit.SECONDS);
        int http = port("MAILROOM_BACKUP_HTTP_PORT");
        try (ServerSocket taken = new ServerSocket(http, 1, InetAddress.getLoopbackAddress())) {
            Run sick = mailroom(Duration.ofMinutes(2), "doctor");
            assertThat(sick.exit()).as(sick.output()).isEqualTo(1);
            assertThat(sick.output())
                    .contains("FAIL   backup is stopped\n       fix: ./mailroom up starts it")
                    .contains("FAIL   port " + http + " (backup http) is in use by another process (pid "
                            + ProcessHandle.current().pid() + ", java)")
                    .contains("fix: stop that process, or give backup another port: MAILROOM_BACKUP_HTTP_PORT=PORT ./mailroom up")
                    .contains("ok     inbox is healthy")
                    .contains("2 problem(s) found");
        }
    }
}
