package io.mailroom.mailauth.dns;

import io.mailroom.testkit.ExternalServer;
import io.mailroom.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Unbound serving fixed local zones on a free loopback port, for this module's tests
 * until the testkit's own Unbound server is available. It cannot reach any other name server
 * ({@code do-not-query-address} covers everything), so names outside its zones get SERVFAIL.
 */
public final class LocalUnbound extends ExternalServer {
    private final int port = FreePorts.next();
    private final List<String> zones;
    private final List<String> data;

    /**
     * @param zones local zones served as {@code static} (answers only from {@code data}; NXDOMAIN otherwise)
     * @param data  resource records in zone-file syntax, e.g. {@code "a.test. 300 IN A 127.0.0.1"}
     */
    public LocalUnbound(List<String> zones, List<String> data) {
        super("unbound");
        this.zones = List.copyOf(zones);
        this.data = List.copyOf(data);
    }

    public int port() {
        return port;
    }

    @Override
    protected void configure(Path workDir) throws IOException {
        List<String> conf = new ArrayList<>(List.of(
                "server:",
                "  interface: 127.0.0.1",
                "  port: " + port,
                "  do-ip6: no",
                "  do-daemonize: no",
                "  username: \"\"",
                "  chroot: \"\"",
                "  directory: \"" + workDir + "\"",
                "  pidfile: \"" + workDir.resolve("unbound.pid") + "\"",
                "  use-syslog: no",
                "  logfile: \"\"",
                "  verbosity: 1",
                "  access-control: 127.0.0.0/8 allow",
                "  num-threads: 1",
                "  module-config: \"iterator\"",
                // never send a query anywhere: only the local zones below are answered
                "  do-not-query-localhost: yes",
                "  do-not-query-address: 0.0.0.0/0",
                "  do-not-query-address: ::/0",
                "  edns-buffer-size: 1232"));
        for (String zone : zones) {
            conf.add("  local-zone: \"" + zone + "\" static");
        }
        for (String rr : data) {
            conf.add("  local-data: '" + rr + "'");
        }
        conf.add("remote-control:");
        conf.add("  control-enable: no");
        Files.write(workDir.resolve("unbound.conf"), conf, StandardCharsets.UTF_8);
    }

    @Override
    protected List<String> command(Path workDir) {
        return List.of(requireBinary(binary(), debianPackage()), "-d", "-c", workDir.resolve("unbound.conf").toString());
    }

    @Override
    protected boolean ready() {
        DnsResolver probe = DnsjavaResolver.builder().server("127.0.0.1", port)
                .timeout(java.time.Duration.ofMillis(300)).cacheSize(0).build();
        return !probe.txt("ready.probe." + zones.get(0)).isTempFail();
    }

    @Override
    protected String binary() {
        return "unbound";
    }

    @Override
    protected String debianPackage() {
        return "unbound";
    }
}
