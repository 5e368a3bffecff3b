package io.mailroom.mailauth.vectors;

import io.mailroom.mailauth.dns.DnsResolver;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A test-only DNS resolver over the vectors' DNS tables (SOURCES.md format): name -> TXT text,
 * a list of character-strings (one record), null (NXDOMAIN), ["TIMEOUT"]/["SERVFAIL"]
 * (temporary failure) or zone style [{"TXT": ...}, ...]. Unlisted names are NXDOMAIN.
 */
public final class JsonDns implements DnsResolver {
    private final Map<String, Object> table = new HashMap<>();

    public JsonDns(Map<String, ?> entries) {
        entries.forEach((k, v) -> table.put(norm(k), v));
    }

    public static JsonDns of(String name, String txt) {
        return new JsonDns(Map.of(name, txt));
    }

    public JsonDns put(String name, Object value) {
        table.put(norm(name), value);
        return this;
    }

    private static String norm(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        String n = norm(name);
        if (!table.containsKey(n)) return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
        Object v = table.get(n);
        if (v == null) return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
        if (v instanceof String s) return DnsAnswer.ok(List.of(s));
        if (v instanceof List<?> list) {
            if (list.size() == 1 && ("TIMEOUT".equals(list.get(0)) || "SERVFAIL".equals(list.get(0)))) {
                return DnsAnswer.of(DnsAnswer.Status.TEMPFAIL);
            }
            List<String> records = new ArrayList<>();
            StringBuilder joined = new StringBuilder();
            boolean strings = true;
            for (Object o : list) {
                if (o instanceof String s) {
                    joined.append(s);
                } else if (o instanceof Map<?, ?> m && m.containsKey("TXT")) {
                    strings = false;
                    Object t = m.get("TXT");
                    records.add(t instanceof List<?> parts ? String.join("", parts.stream().map(String::valueOf).toList()) : String.valueOf(t));
                } else {
                    strings = false;
                }
            }
            if (strings) records.add(joined.toString());
            return DnsAnswer.ok(records);
        }
        return DnsAnswer.of(DnsAnswer.Status.NODATA);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return DnsAnswer.of(DnsAnswer.Status.NXDOMAIN);
    }
}
