package io.mailroom.mailauth.dkim;

import io.mailroom.mailauth.message.HeaderField;
import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** The "simple" and "relaxed" canonicalization algorithms of RFC 6376 §3.4. */
public enum Canonicalization {
    SIMPLE, RELAXED;

    public static Canonicalization of(String name) {
        // tag values are case-sensitive (RFC 6376 §3.2)
        return switch (name) {
            case "simple" -> SIMPLE;
            case "relaxed" -> RELAXED;
            default -> null;
        };
    }

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The canonical form of a header field, final CRLF included. */
    public String header(HeaderField h) {
        if (this == SIMPLE) return h.raw().endsWith("\r\n") ? h.raw() : h.raw() + "\r\n";
        return relaxedHeader(h.name(), h.rawValue());
    }

    static String relaxedHeader(String name, String rawValue) {
        StringBuilder b = new StringBuilder(name.length() + rawValue.length() + 3);
        b.append(name.toLowerCase(Locale.ROOT).strip()).append(':');
        boolean ws = false;
        boolean started = false;
        for (int i = 0; i < rawValue.length(); i++) {
            char c = rawValue.charAt(i);
            if (c == '\r' || c == '\n') continue; // unfold
            if (c == ' ' || c == '\t') {
                ws = true;
                continue;
            }
            if (ws && started) b.append(' ');
            ws = false;
            started = true;
            b.append(c);
        }
        return b.append("\r\n").toString();
    }

    /** The canonical body (CRLF line ends expected), before any l= truncation. */
    public byte[] body(byte[] body) {
        return this == SIMPLE ? simpleBody(body) : relaxedBody(body);
    }

    private static byte[] simpleBody(byte[] body) {
        int end = body.length;
        if (end == 0) return new byte[] {'\r', '\n'};
        // strip trailing empty lines, keep one CRLF
        while (end >= 4 && body[end - 1] == '\n' && body[end - 2] == '\r' && body[end - 3] == '\n' && body[end - 4] == '\r') end -= 2;
        boolean endsCrlf = end >= 2 && body[end - 1] == '\n' && body[end - 2] == '\r';
        if (end == 2 && endsCrlf) return new byte[] {'\r', '\n'};
        ByteArrayOutputStream out = new ByteArrayOutputStream(end + 2);
        out.write(body, 0, end);
        if (!endsCrlf) out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    private static byte[] relaxedBody(byte[] body) {
        int n = body.length;
        byte[] out = new byte[n + 2];
        int o = 0;
        int keep = 0; // output length up to the last non-empty line
        int lineStart = 0; // output offset where the current line begins
        boolean ws = false;
        for (int i = 0; i < n; i++) {
            byte c = body[i];
            if (c == '\r' && i + 1 < n && body[i + 1] == '\n') {
                ws = false; // trailing WSP of the line is dropped
                boolean empty = o == lineStart;
                out[o++] = '\r';
                out[o++] = '\n';
                if (!empty) keep = o;
                lineStart = o;
                i++;
            } else if (c == ' ' || c == '\t') {
                ws = true;
            } else {
                if (ws) out[o++] = ' ';
                ws = false;
                out[o++] = c;
            }
        }
        if (o > lineStart) { // last line without CRLF
            out[o++] = '\r';
            out[o++] = '\n';
            keep = o;
        }
        return java.util.Arrays.copyOf(out, keep);
    }
}
