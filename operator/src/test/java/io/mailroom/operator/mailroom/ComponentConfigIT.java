package io.mailroom.operator.mailroom;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.operator.Examples;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration files the operator puts into ConfigMaps, checked by the servers' own tools
 * (Debian's Dovecot, Unbound and Redis): only the pod's paths, user and ports are swapped for
 * ones that exist on this machine.
 */
class ComponentConfigIT {
    @TempDir
    Path dir;

    /** The cluster IPs the API server would assign, here on loopback, so that nothing is looked up. */
    static final ServiceAddresses LOOPBACK = ServiceAddresses.of("127.0.0.1", "127.0.0.1");

    private static MailRoom example() {
        MailRoom mr = Examples.load("mailroom.yaml", MailRoom.class);
        mr.getSpec().resolver.forwarders = List.of("192.0.2.53");
        return mr;
    }

    @Test
    void dovecotAcceptsTheGeneratedConfiguration() throws Exception {
        Map<String, String> data = ComponentConfig.of(Component.DOVECOT, example(), "/var/mail", LOOPBACK);
        TestCertificates.PemFiles tls = TestCertificates.selfSigned(dir.resolve("tls"), "mx.example.com");
        Files.copy(tls.certificate(), dir.resolve("tls/tls.crt"));
        Files.copy(tls.key(), dir.resolve("tls/tls.key"));
        Files.writeString(dir.resolve("dovecot-dict-auth.conf.ext"), data.get("dovecot-dict-auth.conf.ext"));
        String user = System.getProperty("user.name");
        String conf = data.get("dovecot.conf")
                .replace(ComponentConfig.TLS_DIR, dir.resolve("tls").toString())
                .replace("/etc/dovecot/", dir + "/")
                .replace("/run/dovecot", dir.resolve("run").toString())
                .replace("/var/lib/dovecot", dir.resolve("state").toString())
                .replace("vmail", user);
        Files.writeString(dir.resolve("dovecot.conf"), conf);
        Result r = run(List.of("doveconf", "-n", "-c", dir.resolve("dovecot.conf").toString()));
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("ssl = required").contains("driver = dict").contains("port = 993");

        // the check is real: a misspelt setting fails it
        Files.writeString(dir.resolve("dovecot.conf"), conf + "ssl_min_protocl = TLSv1.2\n");
        assertThat(run(List.of("doveconf", "-n", "-c", dir.resolve("dovecot.conf").toString())).exit).isNotZero();
    }

    @Test
    void unboundAcceptsTheGeneratedConfiguration() throws Exception {
        Path conf = dir.resolve("unbound.conf");
        Files.writeString(conf, ComponentConfig.of(Component.UNBOUND, example(), "/var/mail", LOOPBACK).get("unbound.conf"));
        Result r = run(List.of("unbound-checkconf", conf.toString()));
        assertThat(r.exit).as(r.output).isZero();
        assertThat(Files.readString(conf)).contains("forward-addr: 192.0.2.53").contains("validator iterator");
    }

    @Test
    void redisStartsFromTheGeneratedConfigurationWithAppendOnlyOn() throws Exception {
        String conf = ComponentConfig.of(Component.REDIS, example(), "/var/mail", LOOPBACK).get("redis.conf");
        int port = FreePorts.next();
        Path file = dir.resolve("redis.conf");
        Files.writeString(file, conf.replace("dir /data", "dir " + dir)
                + "\nport " + port + "\nbind 127.0.0.1\n");
        Process redis = new ProcessBuilder("redis-server", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            String answer = "";
            for (int i = 0; i < 50 && !answer.contains("appendonly"); i++) {
                Thread.sleep(100);
                answer = run(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port), "config", "get",
                        "appendonly")).output;
            }
            assertThat(answer).as(Files.readString(dir.resolve("redis.log"))).contains("appendonly\nyes");
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void rspamdAcceptsTheGeneratedLocalOverrides() throws Exception {
        Path local = Files.createDirectories(dir.resolve("local.d"));
        for (var e : ComponentConfig.of(Component.RSPAMD, example(), "/var/mail", LOOPBACK).entrySet()) {
            Files.writeString(local.resolve(e.getKey()), e.getValue());
        }
        List<String> test = new java.util.ArrayList<>(List.of("rspamadm", "--var=LOCAL_CONFDIR=" + dir, "configtest",
                "-c", "/etc/rspamd/rspamd.conf"));
        if (io.mailroom.testkit.ExternalServer.runningAsRoot()) {
            test.addAll(0, List.of("unshare", "-n")); // and no network at all
        }
        Result r = run(test);
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("syntax OK");

        Files.writeString(local.resolve("worker-normal.inc"), "bind_socket = {{\n");
        assertThat(run(test).output).contains("syntax BAD");
    }

    record Result(int exit, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
