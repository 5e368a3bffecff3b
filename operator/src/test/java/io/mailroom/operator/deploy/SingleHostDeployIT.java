package io.mailroom.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.operator.Examples;
import io.mailroom.operator.podman.Podman;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mailroom deploy} as a user runs it: the launcher script with the example MailRoom, on loopback
 * ports of its own; bad files and taken ports are refused before anything starts.
 */
class SingleHostDeployIT {
    static final Path ROOT = Examples.root();
    static final Podman PODMAN = new Podman(ROOT.resolve("images/containers.conf"));

    @TempDir
    static Path state;

    record Run(int exit, String output) {}

    static Run mailroom(Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("mailroom").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MAILROOM_DEPLOY_STATE", state.toString());
        // ./mailroom test built the images and the operator before Maven ran: no build inside the build
        pb.environment().put("MAILROOM_DEPLOY_NO_BUILD", "1");
        Path out = Files.createTempFile("deploy", ".out");
        Process p = pb.redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./mailroom " + String.join(" ", args) + " did not finish within " + timeout
                    + ":\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    static List<String> containers() {
        return PODMAN.check("ps", "-a", "--filter", "label=" + SingleHostDeploy.LABEL + "=deploytest", "--format",
                "{{.Names}}")
                .lines().filter(l -> !l.isBlank()).toList();
    }

    @BeforeAll
    @AfterAll
    static void nothingOfOursRuns() throws Exception {
        if (!containers().isEmpty()) {
            mailroom(Duration.ofMinutes(2), "deploy", "down", "--purge");
        }
    }

    @Test
    void aBrokenMailRoomFileIsRefusedWithItsReasonAndNothingStarts() throws Exception {
        Path bad = state.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(Examples.examples().resolve("mailroom.yaml"))
                .replace("mx: mx.example.com", "mx: not_a_host_name"));
        Run r = mailroom(Duration.ofMinutes(5), "deploy", bad.toString());
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("spec.hostnames.mx must be a host name").doesNotContain("Exception");

        Files.writeString(bad, "apiVersion: mailroom.io/v1alpha1\nkind: MailRoom\nmetadata: [unclosed\n");
        r = mailroom(Duration.ofMinutes(2), "deploy", bad.toString());
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("is not valid YAML").doesNotContain("\tat ");

        r = mailroom(Duration.ofMinutes(2), "deploy", state.resolve("missing.yaml").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("no such file");
        assertThat(containers()).isEmpty();
        assertThat(PODMAN.exec("network", "exists", "mailroom-mailroom").ok()).isFalse();
        assertThat(PODMAN.exec("network", "exists", "mailroom-deploytest").ok()).isFalse();
    }

    @Test
    void aTakenPortIsRefusedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = mailroom(Duration.ofMinutes(5), "deploy", example().toString(),
                    "--address", "127.0.0.1", "--port", "smtp=" + taken.getLocalPort());
            assertThat(r.exit()).as(r.output()).isEqualTo(2);
            assertThat(r.output()).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already taken")
                    .contains("nothing was started");
        }
        assertThat(containers()).isEmpty();
    }

    /** The example under a name of its own, so that no installation of this host's user is touched. */
    static Path example() throws Exception {
        Path file = state.resolve("deploytest.yaml");
        Files.writeString(file, (Files.readString(Examples.examples().resolve("mailroom.yaml")) + "\n---\n"
                + Files.readString(Examples.examples().resolve("maildomain.yaml")))
                .replace("name: mailroom\n", "name: deploytest\n").replace("mailRoom: mailroom", "mailRoom: deploytest"));
        return file;
    }

    @Test
    void theExampleRunsOnOneHostAndComesDownKeepingItsVolumes() throws Exception {
        int smtp = free(), submission = free(), submissions = free(), imaps = free(), controller = free();
        Run up = mailroom(Duration.ofMinutes(10), "deploy", example().toString(),
                "--address", "127.0.0.1", "--port", "smtp=" + smtp, "--port", "submission=" + submission,
                "--port", "submissions=" + submissions, "--port", "imaps=" + imaps, "--port", "controller=" + controller);
        try {
            assertThat(up.exit()).as(up.output()).isZero();
            assertThat(containers()).containsExactlyInAnyOrder("deploytest-redis-0", "deploytest-unbound-0",
                    "deploytest-dovecot-0", "deploytest-rspamd-0", "deploytest-controller-0", "deploytest-inbox-0",
                    "deploytest-outbox-0");
            Run status = mailroom(Duration.ofMinutes(1), "deploy", "status");
            assertThat(status.output()).contains("deploytest-inbox-0").contains("127.0.0.1:" + smtp + "->25/tcp");

            // the administrator's path: the CLI on loopback, a user who then logs in over IMAPS
            Path token = state.resolve("deploytest/controller.token");
            ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("cli/mailroom-cli").toString(), "create-user",
                    "dora@example.com", "--password-stdin").redirectErrorStream(true);
            pb.environment().put("MAILROOM_URL", "http://127.0.0.1:" + controller);
            pb.environment().put("MAILROOM_TOKEN_FILE", token.toString());
            Process cli = pb.start();
            cli.getOutputStream().write("doras-long-password-1\n".getBytes(StandardCharsets.UTF_8));
            cli.getOutputStream().close();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(cli.exitValue()).as(out).isZero();
            String login = io.mailroom.operator.Fixtures.sh("printf 'a1 LOGIN dora@example.com doras-long-password-1\\r\\n"
                    + "a2 LOGOUT\\r\\n' | timeout 20 openssl s_client -quiet -connect 127.0.0.1:" + imaps
                    + " 2>/dev/null || true");
            assertThat(login).contains("a1 OK");
            // the MailDomain's DKIM keys sign what the Outbox sends: its record is published by the Controller
            ProcessBuilder records = new ProcessBuilder(ROOT.resolve("cli/mailroom-cli").toString(), "dns-records",
                    "example.com").redirectErrorStream(true);
            records.environment().put("MAILROOM_URL", "http://127.0.0.1:" + controller);
            records.environment().put("MAILROOM_TOKEN_FILE", token.toString());
            Process r = records.start();
            String zone = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(zone).contains("._domainkey.example.com").contains("v=DKIM1");
        } catch (AssertionError e) {
            System.out.println(up.output());
            for (String c : containers()) {
                System.out.println("===== " + c + "\n" + PODMAN.exec("logs", "--tail", "80", c).output());
            }
            throw e;
        }

        Run down = mailroom(Duration.ofMinutes(3), "deploy", "down");
        assertThat(down.exit()).as(down.output()).isZero();
        assertThat(containers()).isEmpty();
        assertThat(PODMAN.exec("volume", "exists", "mail-deploytest-dovecot-0").ok()).as("mail volume kept").isTrue();
        Run purge = mailroom(Duration.ofMinutes(3), "deploy", "down", "--purge");
        assertThat(purge.exit()).as(purge.output()).isZero();
        assertThat(PODMAN.exec("volume", "exists", "mail-deploytest-dovecot-0").ok()).as("mail volume purged").isFalse();
    }

    private static int free() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
