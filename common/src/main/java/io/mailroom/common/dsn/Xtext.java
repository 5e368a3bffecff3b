package io.mailroom.common.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The xtext encoding of ORCPT and ENVID values (RFC 3461 §4). */
public final class Xtext {
    private Xtext() {}

    public static String encode(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }

    /** Decodes xtext; throws {@link IllegalArgumentException} for a malformed value. */
    public static String decode(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length()) {
                    throw new IllegalArgumentException("truncated xtext escape");
                }
                String hex = value.substring(i + 1, i + 3);
                if (!hex.matches("[0-9A-Fa-f]{2}")) {
                    throw new IllegalArgumentException("bad xtext escape +" + hex);
                }
                out.write(Integer.parseInt(hex, 16));
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                throw new IllegalArgumentException("character not allowed in xtext");
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
