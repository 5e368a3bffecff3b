package io.mailroom.mailauth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** SPF macro expansion (RFC 7208 §7). */
final class MacroExpander {
    /** Longest expansion result kept; a hostile record cannot make us build huge strings. */
    static final int MAX_EXPANSION = 8 * 1024;

    /** The values the macro letters stand for. */
    interface Context {
        String sender();

        String localPart();

        String senderDomain();

        String domain();

        InetAddress ip();

        String helo();

        String receiver();

        long timestamp();

        /** The %{p} value: a validated host name of the client, or "unknown" (may query DNS). */
        String validatedName();
    }

    private MacroExpander() {}

    /** Checks macro-string syntax (explain-string syntax when {@code explanation}); permerror if invalid. */
    static void validate(String s, boolean explanation) {
        scan(s, explanation, null, null);
    }

    /** True if the string ends in a macro-expand (so domain-end's toplabel rule does not apply). */
    static boolean endsWithMacro(String s) {
        return scan(s, false, null, null);
    }

    static String expand(String s, Context ctx, boolean explanation) {
        StringBuilder out = new StringBuilder();
        scan(s, explanation, ctx, out);
        return out.toString();
    }

    /** Walks the string; expands into {@code out} when a context is given. Returns whether the last token was a macro. */
    private static boolean scan(String s, boolean explanation, Context ctx, StringBuilder out) {
        boolean lastMacro = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (out != null && out.length() > MAX_EXPANSION) {
                throw new SpfException.PermError("macro expansion too long");
            }
            if (c != '%') {
                boolean ok = explanation ? c >= 0x20 && c <= 0x7e : c >= 0x21 && c <= 0x7e;
                if (!ok) {
                    throw new SpfException.PermError("invalid character in macro-string");
                }
                if (out != null) {
                    out.append(c);
                }
                lastMacro = false;
                i++;
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new SpfException.PermError("'%' at the end of a macro-string");
            }
            char n = s.charAt(i + 1);
            lastMacro = true;
            switch (n) {
                case '%' -> append(out, "%");
                case '_' -> append(out, " ");
                case '-' -> append(out, "%20");
                case '{' -> {
                    int end = s.indexOf('}', i + 2);
                    if (end < 0) {
                        throw new SpfException.PermError("unterminated macro in '" + s + "'");
                    }
                    String body = s.substring(i + 2, end);
                    String value = macro(body, explanation, ctx);
                    append(out, value);
                    i = end + 1;
                    continue;
                }
                default -> throw new SpfException.PermError("invalid macro '%" + n + "'");
            }
            i += 2;
        }
        return lastMacro;
    }

    private static void append(StringBuilder out, String s) {
        if (out != null) {
            out.append(s);
        }
    }

    /** One %{...} body: macro-letter transformers *delimiter. */
    private static String macro(String body, boolean explanation, Context ctx) {
        if (body.isEmpty()) {
            throw new SpfException.PermError("empty macro");
        }
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        if ("slodiphv".indexOf(lower) < 0 && !(explanation && "crt".indexOf(lower) >= 0)) {
            throw new SpfException.PermError("invalid macro letter '" + letter + "'");
        }
        int p = 1;
        int digitsStart = p;
        while (p < body.length() && Character.isDigit(body.charAt(p)) && body.charAt(p) < 0x80) {
            p++;
        }
        int keep = Integer.MAX_VALUE;
        if (p > digitsStart) {
            String digits = body.substring(digitsStart, p);
            keep = digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
            if (keep == 0) {
                throw new SpfException.PermError("macro transformer 0 is not allowed");
            }
        }
        boolean reverse = false;
        if (p < body.length() && (body.charAt(p) == 'r' || body.charAt(p) == 'R')) {
            reverse = true;
            p++;
        }
        String delimiters = body.substring(p);
        for (int k = 0; k < delimiters.length(); k++) {
            if (".-+,/_=".indexOf(delimiters.charAt(k)) < 0) {
                throw new SpfException.PermError("invalid macro delimiter in '%{" + body + "}'");
            }
        }
        if (ctx == null) {
            return "";
        }
        String value = value(lower, ctx);
        if (keep != Integer.MAX_VALUE || reverse || !delimiters.isEmpty()) {
            value = transform(value, delimiters.isEmpty() ? "." : delimiters, keep, reverse);
        }
        return Character.isUpperCase(letter) ? urlEscape(value) : value;
    }

    private static String value(char letter, Context ctx) {
        return switch (letter) {
            case 's' -> ctx.sender();
            case 'l' -> ctx.localPart();
            case 'o' -> ctx.senderDomain();
            case 'd' -> ctx.domain();
            case 'i' -> dottedIp(ctx.ip());
            case 'p' -> ctx.validatedName();
            case 'v' -> ctx.ip() instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h' -> ctx.helo();
            case 'c' -> readableIp(ctx.ip());
            case 'r' -> ctx.receiver();
            case 't' -> Long.toString(ctx.timestamp());
            default -> throw new SpfException.PermError("invalid macro letter '" + letter + "'");
        };
    }

    private static String transform(String value, String delimiters, int keep, boolean reverse) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (delimiters.indexOf(value.charAt(i)) >= 0) {
                parts.add(value.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(value.substring(start));
        if (reverse) {
            Collections.reverse(parts);
        }
        if (keep < parts.size()) {
            parts = parts.subList(parts.size() - keep, parts.size());
        }
        return String.join(".", parts);
    }

    /** %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 (§7.3). */
    static String dottedIp(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            return ip.getHostAddress();
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append('.').append(Character.forDigit(x & 0xf, 16)).append('.');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** %{c}: the address in its usual text form (RFC 5952 for IPv6). */
    static String readableIp(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            return ip.getHostAddress();
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** Upper-case macro letters URL-escape the value (§7.3): everything but unreserved characters. */
    private static String urlEscape(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte x : value.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
