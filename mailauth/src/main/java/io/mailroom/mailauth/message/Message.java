package io.mailroom.mailauth.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An RFC 5322 message split into its ordered header fields and its body. Bare LF line ends are
 * turned into CRLF first (as dkimpy and Mail::DKIM do before canonicalization). Parsing never
 * throws: a line in the header section that is not a field is skipped, and input beyond the
 * limits (field count, header section size) is dropped and recorded in {@link #malformed()}.
 */
public final class Message {
    /** More header fields than any real message carries; beyond this they are ignored. */
    public static final int MAX_HEADER_FIELDS = 1000;
    /** Upper bound of the header section in bytes. */
    public static final int MAX_HEADER_BYTES = 1024 * 1024;

    private final List<HeaderField> headers;
    private final byte[] body;
    private final boolean malformed;

    private Message(List<HeaderField> headers, byte[] body, boolean malformed) {
        this.headers = Collections.unmodifiableList(headers);
        this.body = body;
        this.malformed = malformed;
    }

    public static Message of(List<HeaderField> headers, byte[] body) {
        return new Message(new ArrayList<>(headers), body, false);
    }

    public static Message parse(byte[] input) {
        byte[] data = toCrlf(input == null ? new byte[0] : input);
        List<HeaderField> headers = new ArrayList<>();
        boolean malformed = false;
        int pos = 0;
        int n = data.length;
        StringBuilder current = null;
        String currentName = null;
        int headerBytes = 0;
        while (pos < n) {
            int eol = indexOfCrlf(data, pos);
            int lineEnd = eol < 0 ? n : eol;
            int next = eol < 0 ? n : eol + 2;
            if (lineEnd == pos) { // empty line: end of the header section
                pos = next;
                break;
            }
            headerBytes += next - pos;
            if (headerBytes > MAX_HEADER_BYTES) {
                malformed = true;
                pos = skipToBody(data, pos);
                current = null;
                break;
            }
            String line = new String(data, pos, next - pos, StandardCharsets.ISO_8859_1);
            byte first = data[pos];
            if ((first == ' ' || first == '\t')) {
                if (current != null) {
                    current.append(line);
                } else {
                    malformed = true; // continuation without a field
                }
            } else {
                flush(headers, currentName, current);
                current = null;
                currentName = null;
                int colon = line.indexOf(':');
                String name = colon > 0 ? line.substring(0, colon).stripTrailing() : "";
                if (colon <= 0 || !validName(name)) {
                    malformed = true;
                } else if (headers.size() >= MAX_HEADER_FIELDS) {
                    malformed = true;
                } else {
                    currentName = name;
                    current = new StringBuilder(line);
                }
            }
            if (eol < 0 && current != null && !current.toString().endsWith("\r\n")) {
                current.append("\r\n"); // header section without a final line end
            }
            pos = next;
        }
        flush(headers, currentName, current);
        byte[] body = pos >= n ? new byte[0] : java.util.Arrays.copyOfRange(data, pos, n);
        return new Message(headers, body, malformed);
    }

    private static int skipToBody(byte[] data, int from) {
        for (int i = from; i + 3 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') return i + 4;
        }
        return data.length;
    }

    private static void flush(List<HeaderField> headers, String name, StringBuilder raw) {
        if (name != null && raw != null) headers.add(new HeaderField(name, raw.toString()));
    }

    private static boolean validName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126) return false; // RFC 5322 ftext
        }
        return true;
    }

    private static int indexOfCrlf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') return i;
        }
        return -1;
    }

    /** Turns every LF not preceded by CR into CRLF. */
    public static byte[] toCrlf(byte[] in) {
        int bare = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) bare++;
        }
        if (bare == 0) return in;
        byte[] out = new byte[in.length + bare];
        int j = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) out[j++] = '\r';
            out[j++] = in[i];
        }
        return out;
    }

    public List<HeaderField> headers() {
        return headers;
    }

    /** All fields with this name, top to bottom. */
    public List<HeaderField> headers(String name) {
        List<HeaderField> out = new ArrayList<>();
        for (HeaderField h : headers) if (h.is(name)) out.add(h);
        return out;
    }

    public HeaderField first(String name) {
        for (HeaderField h : headers) if (h.is(name)) return h;
        return null;
    }

    public byte[] body() {
        return body.clone();
    }

    /** The body without a copy, for hashing inside this library. */
    public byte[] bodyView() {
        return body;
    }

    /** True when the header section had lines that are not fields or exceeded the limits. */
    public boolean malformed() {
        return malformed;
    }

    /** A new message with these fields prepended (the order given is the order on top). */
    public Message prepend(List<HeaderField> fields) {
        List<HeaderField> all = new ArrayList<>(fields);
        all.addAll(headers);
        return new Message(all, body, malformed);
    }

    /** The message as CRLF bytes. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 4096);
        for (HeaderField h : headers) out.writeBytes(h.bytes());
        out.writeBytes(new byte[] {'\r', '\n'});
        out.writeBytes(body);
        return out.toByteArray();
    }
}
