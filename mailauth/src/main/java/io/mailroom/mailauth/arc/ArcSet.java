package io.mailroom.mailauth.arc;

import io.mailroom.mailauth.dkim.SignatureCheck;
import io.mailroom.mailauth.dkim.TagList;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ARC header fields of a message grouped by instance (RFC 8617 §4.2). {@link #collect}
 * checks the structure: instances 1..N with exactly one AAR, AMS and AS each.
 */
record ArcSet(int instance, HeaderField aar, HeaderField ams, HeaderField seal) {
    static final String AAR = "ARC-Authentication-Results";
    static final String AMS = "ARC-Message-Signature";
    static final String AS = "ARC-Seal";
    static final int MAX_INSTANCE = 50;

    private static final Pattern AAR_INSTANCE = Pattern.compile("^[ \\t\\r\\n]*i[ \\t\\r\\n]*=[ \\t\\r\\n]*([0-9]+)[ \\t\\r\\n]*;");

    /** The sets in instance order, an empty list when there are no ARC fields, or an error. */
    record Chain(List<ArcSet> sets, String error) {}

    static boolean isArc(HeaderField h) {
        return h.is(AAR) || h.is(AMS) || h.is(AS);
    }

    static Chain collect(Message m) {
        TreeMap<Integer, HeaderField[]> byInstance = new TreeMap<>();
        for (HeaderField h : m.headers()) {
            if (!isArc(h)) continue;
            int i = instance(h);
            if (i < 1 || i > MAX_INSTANCE) return new Chain(List.of(), "invalid instance in " + h.name());
            HeaderField[] slot = byInstance.computeIfAbsent(i, k -> new HeaderField[3]);
            int idx = h.is(AAR) ? 0 : h.is(AMS) ? 1 : 2;
            if (slot[idx] != null) return new Chain(List.of(), "duplicate " + h.name() + " for i=" + i);
            slot[idx] = h;
        }
        List<ArcSet> sets = new ArrayList<>();
        int expected = 1;
        for (var e : byInstance.entrySet()) {
            if (e.getKey() != expected) return new Chain(List.of(), "missing ARC set i=" + expected);
            HeaderField[] s = e.getValue();
            if (s[0] == null || s[1] == null || s[2] == null) return new Chain(List.of(), "incomplete ARC set i=" + expected);
            sets.add(new ArcSet(expected, s[0], s[1], s[2]));
            expected++;
        }
        return new Chain(sets, null);
    }

    /** The i= of an ARC field, or -1 when absent or malformed. */
    static int instance(HeaderField h) {
        if (h.is(AAR)) {
            Matcher m = AAR_INSTANCE.matcher(h.rawValue());
            if (!m.find()) return -1;
            long v = SignatureCheck.number(m.group(1), 3);
            return (int) v;
        }
        try {
            String i = TagList.parse(h.rawValue()).get("i");
            return i == null ? -1 : (int) SignatureCheck.number(i, 3);
        } catch (TagList.SyntaxException e) {
            return -1;
        }
    }
}
