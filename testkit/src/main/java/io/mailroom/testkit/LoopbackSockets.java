package io.mailroom.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The peers of the Internet sockets that processes hold, read from Linux's {@code /proc}: lets a
 * test assert that a server talks to nothing but loopback addresses.
 */
public final class LoopbackSockets {
    private LoopbackSockets() {}

    /** A socket of one of the processes: protocol, local and remote address ({@code host:port}). */
    public record Peer(String protocol, String local, String remote, boolean loopback) {}

    /** Every connected TCP/UDP socket (IPv4 and IPv6) of the processes, listening and unconnected ones left out. */
    public static List<Peer> connectedSockets(Stream<ProcessHandle> processes) throws IOException {
        Set<String> inodes = new HashSet<>();
        List<Long> pids = processes.map(ProcessHandle::pid).toList();
        for (long pid : pids) {
            Path fds = Path.of("/proc", String.valueOf(pid), "fd");
            try (Stream<Path> list = Files.list(fds)) {
                for (Path fd : list.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // descriptor closed meanwhile
                    }
                }
            } catch (IOException e) {
                // process exited meanwhile
            }
        }
        List<Peer> peers = new ArrayList<>();
        if (pids.isEmpty()) {
            return peers;
        }
        for (String proto : List.of("tcp", "tcp6", "udp", "udp6")) {
            Path table = Path.of("/proc", String.valueOf(pids.get(0)), "net", proto);
            if (!Files.exists(table)) {
                continue;
            }
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !inodes.contains(f[9])) {
                    continue;
                }
                Address remote = address(f[2]);
                if (remote.unspecified()) {
                    continue;
                }
                Address local = address(f[1]);
                peers.add(new Peer(proto, local.text(), remote.text(), remote.loopback()));
            }
        }
        return peers;
    }

    /** The sockets among {@link #connectedSockets} whose peer is not on 127.0.0.0/8 or ::1. */
    public static List<Peer> nonLoopbackPeers(Stream<ProcessHandle> processes) throws IOException {
        return connectedSockets(processes).stream().filter(p -> !p.loopback()).toList();
    }

    private record Address(byte[] ip, int port) {
        boolean unspecified() {
            for (byte b : ip) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        boolean loopback() {
            if (ip.length == 4) {
                return (ip[0] & 0xff) == 127;
            }
            boolean v4mapped = true;
            for (int i = 0; i < 10; i++) {
                v4mapped &= ip[i] == 0;
            }
            v4mapped &= (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff;
            if (v4mapped) {
                return (ip[12] & 0xff) == 127;
            }
            for (int i = 0; i < 15; i++) {
                if (ip[i] != 0) {
                    return false;
                }
            }
            return ip[15] == 1;
        }

        String text() {
            try {
                return java.net.InetAddress.getByAddress(ip).getHostAddress() + ":" + port;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** /proc/net addresses: hex, each 32-bit word in host (little-endian) order, then ":" and the hex port. */
    private static Address address(String field) {
        String[] parts = field.split(":");
        String hex = parts[0];
        byte[] ip = new byte[hex.length() / 2];
        for (int word = 0; word < ip.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = word * 8 + (3 - b) * 2;
                ip[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return new Address(ip, Integer.parseInt(parts[1], 16));
    }
}
