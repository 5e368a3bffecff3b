package io.mailroom.mailauth.dkim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DKIM tag=value list (RFC 6376 §3.2), also used by ARC and key records. Tag names are
 * case-sensitive; a syntax error or a duplicated tag throws {@link SyntaxException}, which the
 * callers turn into a permanent error.
 */
public final class TagList {
    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = Collections.unmodifiableMap(tags);
    }

    public static TagList parse(String text) throws SyntaxException {
        Map<String, String> tags = new LinkedHashMap<>();
        String[] specs = text.split(";", -1);
        for (int i = 0; i < specs.length; i++) {
            String spec = specs[i];
            if (isFws(spec)) {
                if (i == specs.length - 1) break; // optional trailing ';'
                throw new SyntaxException("empty tag-spec");
            }
            int eq = spec.indexOf('=');
            if (eq < 0) throw new SyntaxException("tag without '='");
            String name = stripFws(spec.substring(0, eq));
            if (!validName(name)) throw new SyntaxException("invalid tag name");
            String value = stripFws(spec.substring(eq + 1));
            if (tags.putIfAbsent(name, value) != null) throw new SyntaxException("duplicate tag " + name);
        }
        return new TagList(tags);
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || !Character.isLetter(name.charAt(0)) || name.charAt(0) > 127) return false;
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_'))) return false;
        }
        return true;
    }

    private static boolean isFws(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
        }
        return true;
    }

    static String stripFws(String s) {
        int a = 0, b = s.length();
        while (a < b && isWs(s.charAt(a))) a++;
        while (b > a && isWs(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    private static boolean isWs(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** Removes every whitespace character (for base64 values and header lists). */
    public static String noWs(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) if (!isWs(s.charAt(i))) b.append(s.charAt(i));
        return b.toString();
    }

    public String get(String name) {
        return tags.get(name);
    }

    public boolean has(String name) {
        return tags.containsKey(name);
    }

    public Map<String, String> asMap() {
        return tags;
    }

    /** A tag-list that does not parse. */
    public static final class SyntaxException extends Exception {
        public SyntaxException(String message) {
            super(message);
        }
    }
}
