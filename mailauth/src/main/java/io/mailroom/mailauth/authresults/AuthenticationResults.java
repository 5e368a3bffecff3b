package io.mailroom.mailauth.authresults;

import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.dkim.DkimResult;
import io.mailroom.mailauth.message.HeaderField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds an Authentication-Results field (RFC 8601) for our own results, and parses existing
 * ones (authserv-id, method results, reasons, properties; comments dropped, quoted strings
 * unquoted). {@link #parse} returns null for a field that does not follow the grammar.
 */
public final class AuthenticationResults {
    public static final String FIELD = "Authentication-Results";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~.@]+");

    private final String authservId;
    private final List<AuthResult> results;

    private AuthenticationResults(String authservId, List<AuthResult> results) {
        this.authservId = authservId;
        this.results = results;
    }

    /** A builder for the field our server adds. */
    public static AuthenticationResults builder(String authservId) {
        if (authservId == null || !TOKEN.matcher(authservId).matches()) throw new IllegalArgumentException("invalid authserv-id");
        return new AuthenticationResults(authservId, new ArrayList<>());
    }

    public String authservId() {
        return authservId;
    }

    public List<AuthResult> results() {
        return List.copyOf(results);
    }

    /** Results of one method (e.g. "dkim"). */
    public List<AuthResult> results(String method) {
        return results.stream().filter(r -> r.method().equalsIgnoreCase(method)).toList();
    }

    public AuthenticationResults add(AuthResult r) {
        results.add(r);
        return this;
    }

    public AuthenticationResults add(String method, String result, String reason, Map<String, String> props) {
        List<AuthResult.Property> list = new ArrayList<>();
        props.forEach((k, v) -> {
            if (v == null) return;
            int dot = k.indexOf('.');
            list.add(new AuthResult.Property(k.substring(0, dot), k.substring(dot + 1), v));
        });
        return add(new AuthResult(method, result, reason, list));
    }

    /** spf=RESULT smtp.mailfrom=... (or smtp.helo=... when the HELO identity was checked). */
    public AuthenticationResults spf(String result, String mailFrom, String helo) {
        var props = new java.util.LinkedHashMap<String, String>();
        if (mailFrom != null && !mailFrom.isEmpty()) props.put("smtp.mailfrom", mailFrom);
        else if (helo != null) props.put("smtp.helo", helo);
        return add("spf", result, null, props);
    }

    /** One dkim= result per signature; dkim=none when there is none. */
    public AuthenticationResults dkim(List<DkimResult> signatures) {
        if (signatures.isEmpty()) return add("dkim", "none", null, Map.of());
        for (DkimResult r : signatures) {
            var props = new java.util.LinkedHashMap<String, String>();
            props.put("header.d", r.domain());
            props.put("header.i", r.identity());
            props.put("header.s", r.selector());
            props.put("header.a", r.algorithm());
            props.put("header.b", r.headerB());
            String reason = r.reason();
            if (r.usedBodyLength() && r.isPass()) reason = "partial body signed (l=" + r.bodyLength() + ")";
            add("dkim", r.status().value(), reason, props);
        }
        return this;
    }

    public AuthenticationResults arc(ArcVerifier.Result r, String remoteIp) {
        var props = new java.util.LinkedHashMap<String, String>();
        if (r.status() == ArcVerifier.Status.PASS) props.put("header.oldest-pass", String.valueOf(r.oldestPass()));
        if (remoteIp != null) props.put("smtp.remote-ip", remoteIp);
        return add("arc", r.status().value(), r.reason(), props);
    }

    /** dmarc=RESULT header.from=DOMAIN policy.dmarc=... (policy props keyed "policy.xxx"). */
    public AuthenticationResults dmarc(String result, String headerFrom, Map<String, String> policy) {
        var props = new java.util.LinkedHashMap<String, String>();
        props.put("header.from", headerFrom);
        props.putAll(policy);
        return add("dmarc", result, null, props);
    }

    /** The field value: "authserv-id; method=result ...; ..." (unfolded). */
    public String value() {
        StringBuilder b = new StringBuilder(authservId);
        if (results.isEmpty()) return b.append("; none").toString();
        for (AuthResult r : results) b.append("; ").append(format(r));
        return b.toString();
    }

    /** The whole field, each result on its own folded line. */
    public HeaderField header() {
        StringBuilder b = new StringBuilder(FIELD).append(": ").append(authservId).append(';');
        if (results.isEmpty()) return new HeaderField(FIELD, b.append(" none\r\n").toString());
        for (int i = 0; i < results.size(); i++) {
            b.append("\r\n\t").append(format(results.get(i)));
            if (i < results.size() - 1) b.append(';');
        }
        return new HeaderField(FIELD, b.append("\r\n").toString());
    }

    static String format(AuthResult r) {
        StringBuilder b = new StringBuilder(r.method()).append('=').append(r.result());
        if (r.reason() != null) b.append(" reason=").append(quote(r.reason()));
        for (AuthResult.Property p : r.properties()) b.append(' ').append(p.key()).append('=').append(value(p.value()));
        return b.toString();
    }

    private static String value(String v) {
        return TOKEN.matcher(v).matches() && !v.startsWith("@") || (v.startsWith("@") && TOKEN.matcher(v.substring(1)).matches()) ? v : quote(v);
    }

    /** A quoted-string: backslash before '"' and '\', control characters dropped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 32 && c != '\t' || c == 127) continue;
            if (c == '"' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('"').toString();
    }

    // ---- parsing ----

    /** Parses a field value (without "Authentication-Results:"); null if it does not parse. */
    public static AuthenticationResults parse(String value) {
        try {
            List<String> parts = split(stripComments(value));
            if (parts == null || parts.isEmpty()) return null;
            String[] head = parts.get(0).strip().split("[ \\t\\r\\n]+");
            if (head.length == 0 || head[0].isEmpty() || head.length > 2) return null;
            String id = unquote(head[0]);
            if (head.length == 2 && !head[1].matches("[0-9]+")) return null;
            List<AuthResult> results = new ArrayList<>();
            for (int i = 1; i < parts.size(); i++) {
                String p = parts.get(i).strip();
                if (p.isEmpty()) {
                    if (i == parts.size() - 1) break; // tolerate a trailing ';'
                    return null;
                }
                if (p.equalsIgnoreCase("none") && parts.size() == 2) break;
                AuthResult r = parseResult(p);
                if (r == null) return null;
                results.add(r);
            }
            return new AuthenticationResults(id, results);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * True when an Authentication-Results field claims this authserv-id (case-insensitive), also
     * when the rest of it does not parse: the Inbox removes such fields before adding its own
     * (RFC 8601 §5), so a sender cannot forge our verdicts.
     */
    public static boolean claims(HeaderField field, String authservId) {
        if (!field.is(FIELD)) return false;
        AuthenticationResults parsed = parse(field.rawValue());
        if (parsed != null) return parsed.authservId().equalsIgnoreCase(authservId);
        try {
            String head = stripComments(field.rawValue());
            int semi = head.indexOf(';');
            String id = (semi < 0 ? head : head.substring(0, semi)).strip().split("[ \\t\\r\\n]+")[0];
            return unquote(id).equalsIgnoreCase(authservId);
        } catch (RuntimeException e) {
            return field.rawValue().toLowerCase(Locale.ROOT).contains(authservId.toLowerCase(Locale.ROOT));
        }
    }

    public static AuthenticationResults parse(HeaderField field) {
        return field.is(FIELD) ? parse(field.rawValue()) : null;
    }

    private static AuthResult parseResult(String text) {
        // normalise "a = b" to "a=b" outside quotes, then split on whitespace outside quotes
        List<String> words = words(text);
        if (words.isEmpty()) return null;
        String[] mr = words.get(0).split("=", 2);
        if (mr.length != 2 || mr[0].isEmpty() || mr[1].isEmpty()) return null;
        String method = mr[0].contains("/") ? mr[0].substring(0, mr[0].indexOf('/')) : mr[0];
        if (!method.matches("[A-Za-z0-9_-]+")) return null;
        String reason = null;
        List<AuthResult.Property> props = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String[] kv = words.get(i).split("=", 2);
            if (kv.length != 2) return null;
            if (kv[0].equalsIgnoreCase("reason")) {
                reason = unquote(kv[1]);
                continue;
            }
            int dot = kv[0].indexOf('.');
            if (dot <= 0 || dot == kv[0].length() - 1) return null;
            props.add(new AuthResult.Property(kv[0].substring(0, dot).toLowerCase(Locale.ROOT), kv[0].substring(dot + 1), unquote(kv[1])));
        }
        return new AuthResult(method.toLowerCase(Locale.ROOT), mr[1].toLowerCase(Locale.ROOT), reason, props);
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                cur.append(c);
                if (c == '\\' && i + 1 < text.length()) cur.append(text.charAt(++i));
                else if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
                cur.append(c);
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                // whitespace next to '=' or '.' joins the parts
                int j = i;
                while (j < text.length() && " \t\r\n".indexOf(text.charAt(j)) >= 0) j++;
                boolean joinNext = j < text.length() && (text.charAt(j) == '=' || text.charAt(j) == '.' || text.charAt(j) == '/');
                boolean joinPrev = cur.length() > 0 && "=./".indexOf(cur.charAt(cur.length() - 1)) >= 0;
                if (!joinNext && !joinPrev && cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                i = j - 1;
            } else {
                cur.append(c);
            }
        }
        if (quoted) throw new IllegalArgumentException("unterminated quoted-string");
        if (cur.length() > 0) out.add(cur.toString());
        return out;
    }

    /** Splits on ';' outside quoted strings; null when a quote is not closed. */
    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                cur.append(c);
                if (c == '\\' && i + 1 < s.length()) cur.append(s.charAt(++i));
                else if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
                cur.append(c);
            } else if (c == ';') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) return null;
        out.add(cur.toString());
        return out;
    }

    /** Replaces (nested) comments outside quoted strings by a space. */
    static String stripComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (depth > 0) {
                if (c == '\\') i++;
                else if (c == '(') depth++;
                else if (c == ')' && --depth == 0) out.append(' ');
                continue;
            }
            if (quoted) {
                out.append(c);
                if (c == '\\' && i + 1 < s.length()) out.append(s.charAt(++i));
                else if (c == '"') quoted = false;
            } else if (c == '"') {
                quoted = true;
                out.append(c);
            } else if (c == '(') {
                depth = 1;
            } else {
                out.append(c);
            }
        }
        if (depth > 0) throw new IllegalArgumentException("unterminated comment");
        return out.toString();
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) c = v.charAt(++i);
                b.append(c);
            }
            return b.toString();
        }
        return v;
    }
}
