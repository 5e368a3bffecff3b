package io.mailroom.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The write-config scripts that {@code ./mailroom up} calls produce configurations the real servers accept. */
class ConfigScriptsIT {
    static final Path CONFIG = Path.of(System.getProperty("basedir", ".")).resolve("../config").normalize();

    record Run(int exit, String output) {}

    static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** Unbound started exactly as ./mailroom starts it, on the configuration of the script. */
    static final class ScriptedUnbound extends ExternalServer {
        final int port = FreePorts.next();

        ScriptedUnbound() {
            super("unbound-up");
        }

        @Override
        protected void configure(Path dir) throws IOException {
            try {
                Run r = run(List.of(CONFIG.resolve("unbound/write-config").toString(), dir.toString(),
                        String.valueOf(port), "Example.TEST", "mail.example.test"));
                assertThat(r.exit()).as(r.output()).isZero();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override
        protected List<String> command(Path dir) {
            return List.of("unbound", "-d", "-p", "-c", dir.resolve("unbound.conf").toString());
        }

        @Override
        protected boolean ready() {
            return UnboundServer.query(port, ".", 6) >= 0;
        }

        @Override
        protected String debianPackage() {
            return "unbound";
        }

        @Override
        protected String binary() {
            return "unbound";
        }
    }

    @Test
    void unboundScriptServesTheDomainAndSaysNxdomainForTheRest() throws Exception {
        try (ScriptedUnbound unbound = new ScriptedUnbound()) {
            unbound.start();
            SimpleResolver resolver = new SimpleResolver(new java.net.InetSocketAddress("127.0.0.1", unbound.port));
            resolver.setTimeout(Duration.ofSeconds(3));
            Message mx = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.MX, DClass.IN)));
            assertThat(mx.getSection(Section.ANSWER)).singleElement().isInstanceOfSatisfying(MXRecord.class,
                    r -> assertThat(r.getTarget().toString()).isEqualTo("mail.example.test."));
            Message a = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("mail.example.test."), Type.A, DClass.IN)));
            assertThat(a.getSection(Section.ANSWER)).singleElement().isInstanceOfSatisfying(ARecord.class,
                    r -> assertThat(r.getAddress().getHostAddress()).isEqualTo("127.0.0.1"));
            // an outside sender's domain does not exist here, answered at once, without asking anyone
            Message other = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("example.org."), Type.MX, DClass.IN)));
            assertThat(other.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(other.getSection(Section.ANSWER)).isEmpty();
            Message txt = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("outside.example.net."), Type.TXT, DClass.IN)));
            assertThat(txt.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void unboundScriptRejectsNamesThatWouldInjectConfiguration(@TempDir Path dir) throws Exception {
        Run r = run(List.of(CONFIG.resolve("unbound/write-config").toString(), dir.toString(), "5353",
                "example.test\"\n  local-zone: \".\" transparent", "mail.example.test"));
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("not a domain name");
        assertThat(dir.resolve("unbound.conf")).doesNotExist();
    }

    @Test
    void rspamdScriptWritesACommandAndAConfigurationRspamdAccepts(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("rspamd");
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = run(List.of(CONFIG.resolve("rspamd/write-config").toString(), dir.toString(), "21333", "21334", "26380", "25353"));
        assertThat(r.exit()).as(r.output()).isZero();

        List<String> command = Files.readAllLines(dir.resolve("command"));
        assertThat(command).hasSize(1);
        List<String> words = List.of(command.get(0).split(" "));
        assertThat(words.get(0)).endsWith("/rspamd");
        assertThat(words).contains("-f", "--var=LOCAL_CONFDIR=" + dir, "--var=DBDIR=" + dir.resolve("db"));
        assertThat(words.contains("-u")).isEqualTo(ExternalServer.runningAsRoot());

        assertThat(Files.readString(dir.resolve("local.d/worker-normal.inc"))).contains("127.0.0.1:21333");
        assertThat(Files.readString(dir.resolve("local.d/worker-controller.inc"))).contains("127.0.0.1:21334");
        assertThat(Files.readString(dir.resolve("local.d/redis.conf"))).contains("127.0.0.1:26380");
        assertThat(Files.readString(dir.resolve("local.d/options.inc"))).contains("\"127.0.0.1:25353\"");
        try (Stream<Path> files = Files.list(dir.resolve("local.d"))) {
            for (Path f : files.toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("@");
            }
        }
        if (ExternalServer.runningAsRoot()) {
            assertThat(Files.getOwner(dir.resolve("db")).getName()).isEqualTo("_rspamd");
        }

        List<String> configtest = new ArrayList<>(List.of("rspamadm"));
        configtest.addAll(words.stream().filter(w -> w.startsWith("--var=")).toList());
        configtest.addAll(List.of("configtest", "-c", "/etc/rspamd/rspamd.conf"));
        Run test = run(configtest);
        assertThat(test.output()).contains("syntax OK");
        assertThat(test.exit()).isZero();
    }

    @Test
    void rspamdScriptRejectsBadPorts(@TempDir Path dir) throws Exception {
        Run r = run(List.of(CONFIG.resolve("rspamd/write-config").toString(), dir.toString(), "21333", "0", "26380", "25353"));
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("not a port number: 0");
    }
}
