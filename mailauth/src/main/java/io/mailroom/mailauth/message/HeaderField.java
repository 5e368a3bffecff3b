package io.mailroom.mailauth.message;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One header field exactly as received: {@code raw} is the whole field ("Name: value", folding
 * and the final CRLF included) as ISO-8859-1 text, so every byte survives a round trip and
 * canonicalization can work on the original octets.
 */
public record HeaderField(String name, String raw) {

    /** Builds a field from a name and an (already folded) value; a CRLF is appended. */
    public static HeaderField of(String name, String value) {
        return new HeaderField(name, name + ":" + value + "\r\n");
    }

    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    public String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The raw value: everything after the first colon, without the final CRLF, folding kept. */
    public String rawValue() {
        int colon = raw.indexOf(':');
        String v = raw.substring(colon + 1);
        return v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v;
    }

    /** The value unfolded and trimmed (for reading tags and addresses, not for hashing). */
    public String value() {
        return rawValue().replace("\r\n", "").strip();
    }

    public byte[] bytes() {
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }
}
