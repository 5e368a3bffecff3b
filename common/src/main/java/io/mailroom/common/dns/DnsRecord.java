package io.mailroom.common.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One resource record to publish for a domain.
 *
 * @param name    owner name, fully qualified with the trailing dot
 * @param type    {@code MX}, {@code TXT}, {@code TLSA}
 * @param ttl     time to live in seconds
 * @param value   the record's content: for TXT the whole text (before splitting), else the RDATA as in a zone file
 * @param purpose what the record is for, e.g. {@code DKIM (selector mrr202611, rsa-sha256)}
 */
public record DnsRecord(String name, String type, long ttl, String value, String purpose) {
    /** TXT character-strings hold at most 255 bytes (RFC 1035 3.3); longer texts are split. */
    public static final int MAX_STRING = 255;

    /** The RDATA in zone-file syntax: TXT values as quoted strings of at most 255 bytes each. */
    public String data() {
        if (!"TXT".equals(type)) {
            return value;
        }
        List<String> parts = new ArrayList<>();
        for (String chunk : txtStrings(value)) {
            parts.add('"' + chunk.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        }
        return String.join(" ", parts);
    }

    /** One line of a zone file. */
    public String zoneLine() {
        return name + "\t" + ttl + "\tIN\t" + type + "\t" + data();
    }

    /** Splits a TXT value into character-strings of at most 255 bytes (our values are ASCII). */
    public static List<String> txtStrings(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += MAX_STRING) {
            out.add(new String(bytes, i, Math.min(MAX_STRING, bytes.length - i), StandardCharsets.US_ASCII));
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return out;
    }
}
