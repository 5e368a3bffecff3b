package io.mailroom.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A real Unbound on a free loopback port (UDP and TCP) that serves only the zones a test
 * declares and refuses every other name (REFUSED), so no query ever leaves the machine.
 * Names under the special-use domains Unbound knows ({@code .test}, {@code .invalid},
 * {@code localhost}, private reverse zones) but outside the test zones get NXDOMAIN from
 * Unbound's built-in zones. No DNSSEC validation. The configuration is the one of
 * {@code ./mailroom up} ({@code config/unbound/unbound.conf.in}).
 * <p>
 * Changing a zone while the server runs restarts it (about 0.1 s) on the same port.
 */
public class UnboundServer extends ExternalServer {
    static final String CONFIG_TEMPLATE = "mailroom-config/unbound/unbound.conf.in";
    /** Nothing listens on tcpmux; a TCP forward there fails at once, which Unbound turns into SERVFAIL. */
    private static final int CLOSED_PORT = 1;

    private final int port = FreePorts.next();
    private final Map<String, DnsZone> zones = new LinkedHashMap<>();

    public UnboundServer() {
        super("unbound");
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** Where to send queries, e.g. {@code new SimpleResolver(dns.address())} with dnsjava. */
    public InetSocketAddress address() {
        return new InetSocketAddress(host(), port);
    }

    /**
     * Declares the zone {@code name} (or changes it, when already declared) and lets
     * {@code records} add its records. Restarts the server if it runs.
     */
    public synchronized UnboundServer zone(String name, Consumer<DnsZone> records) {
        DnsZone zone = zones.computeIfAbsent(DnsZone.canonical(name), DnsZone::new);
        records.accept(zone);
        reloadIfRunning();
        return this;
    }

    /** Replaces the zone {@code name} by a new one holding only what {@code records} adds. */
    public synchronized UnboundServer replaceZone(String name, Consumer<DnsZone> records) {
        DnsZone zone = new DnsZone(name);
        records.accept(zone);
        zones.put(zone.name(), zone);
        reloadIfRunning();
        return this;
    }

    /** Forgets the zone: its names are refused again, like every name outside the test zones. */
    public synchronized UnboundServer removeZone(String name) {
        zones.remove(DnsZone.canonical(name));
        reloadIfRunning();
        return this;
    }

    /** Forgets every zone. */
    public synchronized UnboundServer clearZones() {
        zones.clear();
        reloadIfRunning();
        return this;
    }

    /** Restarts the server so that it serves the current zones (done by the zone methods already). */
    public synchronized void reload() {
        restart();
    }

    private void reloadIfRunning() {
        if (isRunning()) {
            restart();
        }
    }

    @Override
    protected synchronized void configure(Path dir) throws IOException {
        // Unbound drops privileges to "unbound" when started as root and must still enter its directory
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder local = new StringBuilder();
        StringBuilder forward = new StringBuilder();
        for (DnsZone zone : zones.values()) {
            local.append(zone.unboundServerLines());
            forward.append(zone.unboundForwardZones(CLOSED_PORT));
        }
        String conf = DovecotServer.resource(CONFIG_TEMPLATE)
                .replace("@PORT@", String.valueOf(port))
                .replace("@USERNAME@", runningAsRoot() ? "unbound" : "")
                .replace("@DIR@", dir.toString())
                .replace("@ZONES@", local.toString())
                // a test sees a name it did not declare as REFUSED (./mailroom up answers NXDOMAIN)
                .replace("@OUTSIDE_NAMES@", "refuse")
                // every query in the log, to explain a failing test
                .replace("@EXTRA@", "  log-queries: yes\n")
                .replace("@FORWARD_ZONES@", forward.toString());
        Files.writeString(dir.resolve("unbound.conf"), conf);
    }

    @Override
    protected List<String> command(Path dir) {
        return List.of(binary(), "-d", "-p", "-c", dir.resolve("unbound.conf").toString());
    }

    /** Ready once it answers a query over UDP (REFUSED for the root zone is an answer). */
    @Override
    protected boolean ready() {
        return query(port, ".", 6) >= 0 && accepts(port);
    }

    @Override
    protected String binary() {
        return "unbound";
    }

    @Override
    protected String debianPackage() {
        return "unbound";
    }

    /**
     * Sends one UDP query and returns the response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN,
     * 5 REFUSED), or -1 when no answer came within 200 ms. Small enough to need no DNS library.
     */
    static int query(int port, String name, int type) {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        byte[] q = new byte[512];
        int n = 0;
        q[n++] = (byte) (id >> 8);
        q[n++] = (byte) id;
        q[n++] = 0; // standard query, no recursion wanted
        q[n++] = 0;
        q[n++] = 0;
        q[n++] = 1; // one question
        n += 6;
        if (!name.equals(".")) {
            for (String label : DnsZone.canonical(name).split("\\.")) {
                q[n++] = (byte) label.length();
                for (char c : label.toCharArray()) {
                    q[n++] = (byte) c;
                }
            }
        }
        q[n++] = 0;
        q[n++] = (byte) (type >> 8);
        q[n++] = (byte) type;
        q[n++] = 0;
        q[n++] = 1; // class IN
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(200);
            // connected, so that a port nobody listens on yet fails at once (ICMP port unreachable)
            s.connect(InetAddress.getLoopbackAddress(), port);
            s.send(new DatagramPacket(q, n));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            boolean sameId = ((buf[0] & 0xff) << 8 | (buf[1] & 0xff)) == id;
            boolean response = (buf[2] & 0x80) != 0;
            return p.getLength() >= 12 && sameId && response ? buf[3] & 0x0f : -1;
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
