package io.mailroom.testkit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The records of one test zone served by {@link UnboundServer}. Names are absolute (a trailing
 * dot is optional) and must lie inside the zone, so that every name of the zone is answered
 * locally: an unknown name gets NXDOMAIN, a known name without the asked type gets an empty answer.
 * <pre>{@code
 * zone.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.2")
 *     .txt("example.test", "v=spf1 ip4:127.0.0.1 -all")
 * }</pre>
 */
public final class DnsZone {
    private static final Pattern LABELS = Pattern.compile("([A-Za-z0-9_*]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)*"
            + "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Z0-9]*");

    private final String name;
    private final List<Record> records = new ArrayList<>();
    private final Set<String> servfail = new LinkedHashSet<>();
    private int ttl = 300;

    DnsZone(String name) {
        this.name = canonical(name);
    }

    /** The zone's name, lower case, without the trailing dot. */
    public String name() {
        return name;
    }

    /** TTL of the records added after this call (default 300 s). */
    public DnsZone ttl(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("negative TTL");
        }
        this.ttl = seconds;
        return this;
    }

    public DnsZone a(String owner, String ipv4) {
        InetAddress address = literal(ipv4);
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + ipv4);
        }
        return add(owner, "A", address.getHostAddress());
    }

    public DnsZone aaaa(String owner, String ipv6) {
        InetAddress address = literal(ipv6);
        if (!(address instanceof Inet6Address)) {
            throw new IllegalArgumentException("not an IPv6 address: " + ipv6);
        }
        return add(owner, "AAAA", address.getHostAddress());
    }

    public DnsZone mx(String owner, int preference, String exchange) {
        if (preference < 0 || preference > 65535) {
            throw new IllegalArgumentException("MX preference out of range: " + preference);
        }
        return add(owner, "MX", preference + " " + absolute(exchange));
    }

    public DnsZone cname(String owner, String target) {
        return add(owner, "CNAME", absolute(target));
    }

    /**
     * A TXT record holding {@code text} (UTF-8). Texts longer than 255 bytes are split into
     * several character-strings of at most 255 bytes, as DKIM keys are published.
     */
    public DnsZone txt(String owner, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<byte[]> strings = new ArrayList<>();
        for (int i = 0; i < bytes.length || strings.isEmpty(); i += 255) {
            byte[] part = new byte[Math.min(255, bytes.length - i)];
            System.arraycopy(bytes, i, part, 0, part.length);
            strings.add(part);
        }
        return txtStrings(owner, strings);
    }

    /** A TXT record with exactly these character-strings (each at most 255 bytes). */
    public DnsZone txtStrings(String owner, List<byte[]> strings) {
        StringBuilder rdata = new StringBuilder();
        for (byte[] s : strings) {
            if (s.length > 255) {
                throw new IllegalArgumentException("a TXT character-string holds at most 255 bytes");
            }
            if (!rdata.isEmpty()) {
                rdata.append(' ');
            }
            rdata.append('"');
            for (byte b : s) {
                int c = b & 0xff;
                // zone-file escapes keep quotes, backslashes and non-ASCII bytes exact inside unbound.conf
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '\'') {
                    rdata.append(String.format("\\%03d", c));
                } else {
                    rdata.append((char) c);
                }
            }
            rdata.append('"');
        }
        return add(owner, "TXT", rdata.toString());
    }

    /** The PTR record of an IPv4 or IPv6 address; the reverse name must lie in this zone (e.g. {@code 127.in-addr.arpa}). */
    public DnsZone ptr(String ip, String host) {
        return add(reverseName(ip), "PTR", absolute(host));
    }

    /** A TLSA record (RFC 6698), e.g. {@code tlsa("_25._tcp.mx.example.test", 3, 1, 1, "ab12...")}. */
    public DnsZone tlsa(String owner, int usage, int selector, int matchingType, String hexData) {
        if (!hexData.matches("(?i)[0-9a-f]+") || hexData.length() % 2 != 0) {
            throw new IllegalArgumentException("TLSA data must be hexadecimal: " + hexData);
        }
        return add(owner, "TLSA", usage + " " + selector + " " + matchingType + " " + hexData.toLowerCase(Locale.ROOT));
    }

    /** Any other record type in zone-file syntax, e.g. {@code record("example.test", "CAA", "0 issue \"ca.test\"")}. */
    public DnsZone record(String owner, String type, String rdata) {
        String t = type.toUpperCase(Locale.ROOT);
        if (!TYPE.matcher(t).matches()) {
            throw new IllegalArgumentException("not a record type: " + type);
        }
        if (rdata.indexOf('\n') >= 0 || rdata.indexOf('\r') >= 0 || rdata.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("record data must be one line without single quotes: " + rdata);
        }
        return add(owner, t, rdata);
    }

    /**
     * Makes {@code owner} and every name below it answer SERVFAIL, as a broken authoritative
     * server would (Unbound forwards them to a closed loopback port).
     */
    public DnsZone servfail(String owner) {
        String o = inZone(owner);
        if (o.equals(name)) {
            throw new IllegalArgumentException("servfail needs a name below the zone apex " + name
                    + "; for a whole failing domain declare a zone around it, e.g. the parent");
        }
        servfail.add(o);
        return this;
    }

    /** Removes every record of {@code owner} with the given type. */
    public DnsZone remove(String owner, String type) {
        String o = inZone(owner);
        records.removeIf(r -> r.owner.equals(o) && r.type.equalsIgnoreCase(type));
        return this;
    }

    /** Removes every record of {@code owner}. */
    public DnsZone remove(String owner) {
        String o = inZone(owner);
        records.removeIf(r -> r.owner.equals(o));
        servfail.remove(o);
        return this;
    }

    /** Removes every record of the zone; the zone itself still answers (NXDOMAIN for every name). */
    public DnsZone clear() {
        records.clear();
        servfail.clear();
        return this;
    }

    private DnsZone add(String owner, String type, String rdata) {
        records.add(new Record(inZone(owner), ttl, type, rdata));
        return this;
    }

    /** The unbound.conf lines of this zone. */
    String unboundServerLines() {
        StringBuilder sb = new StringBuilder();
        sb.append("  local-zone: \"").append(name).append(".\" static\n");
        if (records.stream().noneMatch(r -> r.owner.equals(name) && r.type.equals("SOA"))) {
            // negative answers carry the SOA, as from a real authoritative server
            sb.append("  local-data: \"%1$s. 300 IN SOA ns.%1$s. hostmaster.%1$s. 1 3600 600 86400 300\"\n".formatted(name));
        }
        for (Record r : records) {
            sb.append("  local-data: '").append(r.owner).append(". ").append(r.ttl).append(" IN ").append(r.type)
                    .append(' ').append(r.rdata).append("'\n");
        }
        for (String s : servfail) {
            sb.append("  local-zone: \"").append(s).append(".\" transparent\n");
        }
        return sb.toString();
    }

    /** The forward-zone clauses that make the {@link #servfail} names fail. */
    String unboundForwardZones(int closedPort) {
        StringBuilder sb = new StringBuilder();
        for (String s : servfail) {
            sb.append("forward-zone:\n  name: \"").append(s).append(".\"\n  forward-addr: 127.0.0.1@").append(closedPort)
                    .append("\n  forward-tcp-upstream: yes\n");
        }
        return sb.toString();
    }

    private String inZone(String owner) {
        String o = canonical(owner);
        if (!o.equals(name) && !o.endsWith("." + name)) {
            throw new IllegalArgumentException(o + " is not inside the zone " + name
                    + ": declare a zone for it, so that the name never reaches a real DNS server");
        }
        return o;
    }

    static String canonical(String dnsName) {
        String n = dnsName.endsWith(".") ? dnsName.substring(0, dnsName.length() - 1) : dnsName;
        n = n.toLowerCase(Locale.ROOT);
        if (n.length() > 253 || !LABELS.matcher(n).matches()) {
            throw new IllegalArgumentException("not a DNS name: " + dnsName);
        }
        return n;
    }

    private static String absolute(String dnsName) {
        return canonical(dnsName) + ".";
    }

    /** The reverse-lookup name of an address: {@code 2.0.0.127.in-addr.arpa} for 127.0.0.2. */
    public static String reverseName(String ip) {
        byte[] a = literal(ip).getAddress();
        StringBuilder sb = new StringBuilder();
        if (a.length == 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(a[i] & 0xff).append('.');
            }
            return sb.append("in-addr.arpa").toString();
        }
        for (int i = 15; i >= 0; i--) {
            sb.append(Character.forDigit(a[i] & 0xf, 16)).append('.').append(Character.forDigit((a[i] >> 4) & 0xf, 16))
                    .append('.');
        }
        return sb.append("ip6.arpa").toString();
    }

    /** Parses an address literal without ever asking DNS. */
    private static InetAddress literal(String ip) {
        if (!ip.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    private record Record(String owner, int ttl, String type, String rdata) {}
}
