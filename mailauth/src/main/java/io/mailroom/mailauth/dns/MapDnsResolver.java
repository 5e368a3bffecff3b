package io.mailroom.mailauth.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * DNS data held in memory: the zone data that the conformance suites define (the SPF suite's
 * {@code zonedata}, the DKIM/ARC vectors' {@code name -> TXT} tables) and fixed data for tests
 * of the Inbox and Outbox. It answers with the same statuses as a real resolver: names not in
 * the table are NXDOMAIN, names present without the asked type are NODATA, names marked as
 * timing out are TEMPFAIL, and CNAMEs are followed (a loop is a TEMPFAIL, as a resolver's
 * SERVFAIL would be).
 */
public final class MapDnsResolver implements DnsResolver {
    /** The record types this table can hold. */
    public enum Type { A, AAAA, MX, TXT, PTR, CNAME }

    private static final int MAX_CNAME_CHAIN = 8;

    private final Map<String, Node> nodes;

    private MapDnsResolver(Map<String, Node> nodes) {
        this.nodes = nodes;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return lookup(name, Type.TXT, String.class::cast);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return lookup(name, Type.A, InetAddress.class::cast);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return lookup(name, Type.AAAA, InetAddress.class::cast);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return lookup(name, Type.MX, MxRecord.class::cast);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return lookup(ReverseNames.of(address), Type.PTR, String.class::cast);
    }

    /** The CNAME target of a name (without following further). */
    public DnsAnswer<String> cname(String name) {
        return lookup(name, Type.CNAME, String.class::cast);
    }

    private <T> DnsAnswer<T> lookup(String name, Type type, Function<Object, T> cast) {
        String current = normalize(name);
        Set<String> seen = new HashSet<>();
        for (int hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
            if (current == null) {
                return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
            }
            if (!seen.add(current)) {
                return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL); // CNAME loop
            }
            Node node = nodes.get(current);
            if (node == null) {
                return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
            }
            if (node.timeoutAll) {
                return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
            }
            List<Object> records = node.records.get(type);
            if (records != null && !records.isEmpty()) {
                return DnsAnswer.ok(records.stream().map(cast).toList());
            }
            List<Object> cname = node.records.get(Type.CNAME);
            if (type != Type.CNAME && cname != null && !cname.isEmpty()) {
                current = normalize((String) cname.get(0));
                continue;
            }
            if (node.timeoutTypes.contains(type) || node.timeoutMissing) {
                return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
            }
            return DnsAnswer.of(DnsAnswer.Status.NODATA);
        }
        return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
    }

    /** Lower case, no trailing dot; null for a name that cannot exist in DNS (empty or over-long label). */
    static String normalize(String name) {
        if (name == null) {
            return null;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.length() > 253) {
            return null;
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return null;
            }
        }
        return n;
    }

    private static final class Node {
        final Map<Type, List<Object>> records = new EnumMap<>(Type.class);
        final Set<Type> timeoutTypes = new HashSet<>();
        /** Every query times out, whatever records are listed. */
        boolean timeoutAll;
        /** Queries for a type without records time out (the SPF suite's bare {@code TIMEOUT}). */
        boolean timeoutMissing;
    }

    /** Builds a table; names are case-insensitive, a trailing dot is ignored. */
    public static final class Builder {
        private final Map<String, Node> nodes = new HashMap<>();

        private Node node(String name) {
            String n = normalize(name);
            if (n == null) {
                throw new IllegalArgumentException("not a DNS name: " + name);
            }
            return nodes.computeIfAbsent(n, k -> new Node());
        }

        private Builder add(String name, Type type, Object value) {
            node(name).records.computeIfAbsent(type, t -> new ArrayList<>()).add(value);
            return this;
        }

        /** One TXT record; several strings are its character-strings, joined without separator. */
        public Builder txt(String name, String... characterStrings) {
            return add(name, Type.TXT, String.join("", characterStrings));
        }

        public Builder a(String name, String address) {
            InetAddress ip = parseIp(address);
            return add(name, ip.getAddress().length == 4 ? Type.A : Type.AAAA, ip);
        }

        public Builder aaaa(String name, String address) {
            return a(name, address);
        }

        public Builder mx(String name, int preference, String exchange) {
            return add(name, Type.MX, new MxRecord(preference, stripDot(exchange)));
        }

        /** A PTR record at a reverse name ({@code 4.3.2.1.in-addr.arpa}) or for an address ({@code 1.2.3.4}). */
        public Builder ptr(String nameOrAddress, String target) {
            String owner = looksLikeIp(nameOrAddress) ? ReverseNames.of(parseIp(nameOrAddress)) : nameOrAddress;
            return add(owner, Type.PTR, stripDot(target));
        }

        public Builder cname(String name, String target) {
            return add(name, Type.CNAME, stripDot(target));
        }

        /** The name exists (queries for types it lacks are NODATA rather than NXDOMAIN). */
        public Builder exists(String name) {
            node(name);
            return this;
        }

        /** Every query for the name fails temporarily (timeout or SERVFAIL). */
        public Builder tempfail(String name) {
            node(name).timeoutAll = true;
            return this;
        }

        /** Queries for one type at the name fail temporarily. */
        public Builder tempfail(String name, Type type) {
            node(name).timeoutTypes.add(type);
            return this;
        }

        /** Queries for types without records at the name fail temporarily. */
        public Builder tempfailMissing(String name) {
            node(name).timeoutMissing = true;
            return this;
        }

        /**
         * Adds the DNS objects of the DKIM/ARC vectors: {@code name -> "TXT text"} |
         * {@code ["piece", ...]} (one TXT record of several character-strings) | {@code null}
         * (NXDOMAIN) | {@code ["TIMEOUT"]}/{@code ["SERVFAIL"]} (temporary failure) | zone style
         * {@code [{"A": ...}, {"MX": [10, "mx"]}, {"TXT": ...}]}.
         */
        public Builder addJson(Map<String, ?> dns) {
            for (Map.Entry<String, ?> e : dns.entrySet()) {
                String name = e.getKey();
                Object v = e.getValue();
                if (v == null) {
                    nodes.remove(normalize(name));
                } else if (v instanceof String s) {
                    txt(name, s);
                } else if (v instanceof List<?> list) {
                    if (list.size() == 1 && ("TIMEOUT".equals(list.get(0)) || "SERVFAIL".equals(list.get(0)))) {
                        tempfail(name);
                    } else if (!list.isEmpty() && list.stream().allMatch(x -> x instanceof Map)) {
                        addZoneEntries(name, list);
                    } else {
                        txt(name, list.stream().map(String::valueOf).toArray(String[]::new));
                    }
                } else if (v instanceof Map<?, ?> m) {
                    addZoneEntries(name, List.of(m));
                } else {
                    throw new IllegalArgumentException("unknown DNS value for " + name + ": " + v);
                }
            }
            return this;
        }

        /**
         * Adds the {@code zonedata} of an SPF suite scenario: name -> list of {@code {TYPE: value}}
         * or the bare word {@code TIMEOUT}. {@code SPF} values are served as TXT when the name has
         * no TXT entry (RFC 7208 dropped the SPF RR type, the suite keeps using it as data);
         * {@code TXT: NONE} means no TXT record.
         */
        public Builder addZonedata(Map<String, ?> zonedata) {
            for (Map.Entry<String, ?> e : zonedata.entrySet()) {
                Object v = e.getValue();
                List<?> entries = v instanceof List<?> l ? l : List.of(v);
                addZoneEntries(e.getKey(), entries);
            }
            return this;
        }

        private void addZoneEntries(String name, List<?> entries) {
            Node node = node(name);
            List<String> spf = new ArrayList<>();
            boolean txtListed = false;
            for (Object entry : entries) {
                if ("TIMEOUT".equals(entry) || "SERVFAIL".equals(entry)) {
                    node.timeoutMissing = true;
                    continue;
                }
                if (!(entry instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("unknown zone entry for " + name + ": " + entry);
                }
                for (Map.Entry<?, ?> rr : m.entrySet()) {
                    String type = String.valueOf(rr.getKey()).toUpperCase(Locale.ROOT);
                    Object value = rr.getValue();
                    if ("TIMEOUT".equals(value)) {
                        if (!"SPF".equals(type)) {
                            node.timeoutTypes.add(Type.valueOf(type));
                        }
                        continue;
                    }
                    switch (type) {
                        case "TXT" -> {
                            txtListed = true;
                            if (!"NONE".equals(value)) {
                                add(name, Type.TXT, characterStrings(value));
                            }
                        }
                        case "SPF" -> spf.add(characterStrings(value));
                        case "A", "AAAA" -> a(name, String.valueOf(value));
                        case "MX" -> {
                            List<?> mx = (List<?>) value;
                            mx(name, ((Number) mx.get(0)).intValue(), String.valueOf(mx.get(1)));
                        }
                        case "PTR" -> add(name, Type.PTR, stripDot(String.valueOf(value)));
                        case "CNAME" -> cname(name, String.valueOf(value));
                        default -> throw new IllegalArgumentException("unsupported record type " + type + " at " + name);
                    }
                }
            }
            if (!txtListed) {
                spf.forEach(s -> add(name, Type.TXT, s));
            }
        }

        private static String characterStrings(Object value) {
            if (value instanceof List<?> pieces) {
                StringBuilder sb = new StringBuilder();
                pieces.forEach(sb::append);
                return sb.toString();
            }
            return String.valueOf(value);
        }

        public MapDnsResolver build() {
            return new MapDnsResolver(Map.copyOf(nodes));
        }
    }

    /** A JSON/YAML DNS table of the vectors as a resolver (see {@link Builder#addJson}). */
    public static MapDnsResolver fromJson(Map<String, ?> dns) {
        return builder().addJson(dns).build();
    }

    /** An SPF suite scenario's zonedata as a resolver (see {@link Builder#addZonedata}). */
    public static MapDnsResolver fromZonedata(Map<String, ?> zonedata) {
        return builder().addZonedata(zonedata).build();
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean looksLikeIp(String s) {
        return s.indexOf(':') >= 0 || s.matches("[0-9.]+");
    }

    private static InetAddress parseIp(String literal) {
        return IpLiterals.parse(literal);
    }
}
