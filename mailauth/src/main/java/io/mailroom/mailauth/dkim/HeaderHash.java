package io.mailroom.mailauth.dkim;

import io.mailroom.mailauth.message.HeaderField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the data a DKIM/ARC signature covers (RFC 6376 §3.7): the fields named in h=, each
 * taken from the bottom up, then the signature field itself with an empty b= and no final CRLF.
 */
public final class HeaderHash {
    private HeaderHash() {}

    /** The fields h= selects, in h= order; a name listed more often than present selects nothing (signs absence). */
    public static List<HeaderField> select(List<HeaderField> headers, List<String> names) {
        List<HeaderField> out = new ArrayList<>();
        Map<String, Integer> next = new HashMap<>();
        for (String name : names) {
            String key = name.toLowerCase(Locale.ROOT);
            int i = next.getOrDefault(key, headers.size());
            while (--i >= 0) {
                if (headers.get(i).name().equalsIgnoreCase(key)) {
                    out.add(headers.get(i));
                    break;
                }
            }
            next.put(key, Math.max(i, 0));
        }
        return out;
    }

    public static byte[] input(List<HeaderField> headers, List<String> names, Canonicalization c, HeaderField signature) {
        StringBuilder b = new StringBuilder(4096);
        for (HeaderField h : select(headers, names)) b.append(c.header(h));
        String sig = c.header(withoutB(signature));
        if (sig.endsWith("\r\n")) sig = sig.substring(0, sig.length() - 2);
        b.append(sig);
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The field with the value of its b= tag (and the whitespace around that value) removed. */
    public static HeaderField withoutB(HeaderField h) {
        String raw = h.raw();
        int colon = raw.indexOf(':');
        int pos = colon + 1;
        while (pos < raw.length()) {
            int semi = raw.indexOf(';', pos);
            int end = semi < 0 ? raw.length() : semi;
            String spec = raw.substring(pos, end);
            int eq = spec.indexOf('=');
            if (eq > 0 && TagList.stripFws(spec.substring(0, eq)).equals("b")) {
                int valueStart = pos + eq + 1;
                int valueEnd = end;
                if (semi < 0 && raw.endsWith("\r\n")) valueEnd = raw.length() - 2;
                return new HeaderField(h.name(), raw.substring(0, valueStart) + raw.substring(valueEnd));
            }
            if (semi < 0) break;
            pos = semi + 1;
        }
        return h;
    }
}
