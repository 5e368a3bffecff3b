package io.mailroom.common.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parsing of MAIL FROM and RCPT TO (RFC 5321 §4.1.2) with their ESMTP parameters, and xtext
 * (RFC 3461 §4). Strict where it matters for security (no CR/LF/control characters, length
 * limits, unknown parameters refused with 555), lenient where real clients are sloppy (a space
 * after the colon, case of keywords).
 */
public final class SmtpSyntax {
    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the brackets. */
    public static final int MAX_PATH = 256;

    private SmtpSyntax() {}

    /** A syntax or parameter error, with the reply to send. */
    public static final class SyntaxException extends Exception {
        private final String reply;

        SyntaxException(String reply) {
            super(reply, null, false, false);
            this.reply = reply;
        }

        public String reply() {
            return reply;
        }
    }

    public static MailParameters mailFrom(String line, SmtpServerSettings settings, boolean tls) throws SyntaxException {
        String[] pathAndParams = split(line, "MAIL", "FROM:");
        String address = path(pathAndParams[0], true);
        long size = -1;
        String body = null;
        boolean utf8 = false;
        String ret = null;
        String envid = null;
        boolean requireTls = false;
        String auth = null;
        for (Map.Entry<String, String> parameter : parameters(pathAndParams[1]).entrySet()) {
            String key = parameter.getKey();
            String value = parameter.getValue();
            switch (key) {
                case "SIZE" -> {
                    if (value == null || !value.matches("[0-9]{1,18}")) {
                        throw new SyntaxException("501 5.5.4 Bad SIZE parameter");
                    }
                    size = Long.parseLong(value);
                }
                case "BODY" -> {
                    String v = value == null ? "" : value.toUpperCase(Locale.ROOT);
                    if (!v.equals("7BIT") && !v.equals("8BITMIME")) {
                        throw new SyntaxException("555 5.5.4 Unsupported BODY type");
                    }
                    body = v;
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        throw new SyntaxException("501 5.5.4 SMTPUTF8 takes no value");
                    }
                    utf8 = true;
                }
                case "RET" -> {
                    requireDsn(settings);
                    String v = value == null ? "" : value.toUpperCase(Locale.ROOT);
                    if (!v.equals("FULL") && !v.equals("HDRS")) {
                        throw new SyntaxException("501 5.5.4 Bad RET parameter");
                    }
                    ret = v;
                }
                case "ENVID" -> {
                    requireDsn(settings);
                    if (value == null || value.isEmpty() || value.length() > 100) {
                        throw new SyntaxException("501 5.5.4 Bad ENVID parameter");
                    }
                    envid = xtext(value);
                }
                case "REQUIRETLS" -> {
                    if (!settings.advertiseRequireTls() || !tls || value != null) {
                        throw new SyntaxException("530 5.7.10 REQUIRETLS needs a TLS session");
                    }
                    requireTls = true;
                }
                case "AUTH" -> {
                    if (value == null || value.isEmpty()) {
                        throw new SyntaxException("501 5.5.4 Bad AUTH parameter");
                    }
                    auth = value.equals("<>") ? value : xtext(value);
                }
                default -> throw new SyntaxException("555 5.5.4 Unsupported parameter " + safe(key));
            }
        }
        if (!utf8 && !ascii(address)) {
            throw new SyntaxException("553 5.6.7 Non-ASCII address needs SMTPUTF8");
        }
        return new MailParameters(address, size, body, utf8, ret, envid, requireTls, auth);
    }

    public static RcptParameters rcptTo(String line, SmtpServerSettings settings) throws SyntaxException {
        String[] pathAndParams = split(line, "RCPT", "TO:");
        String address = path(pathAndParams[0], false);
        Set<RcptParameters.Notify> notify = EnumSet.noneOf(RcptParameters.Notify.class);
        String orcpt = null;
        for (Map.Entry<String, String> parameter : parameters(pathAndParams[1]).entrySet()) {
            String key = parameter.getKey();
            String value = parameter.getValue();
            switch (key) {
                case "NOTIFY" -> {
                    requireDsn(settings);
                    if (value == null || value.isEmpty()) {
                        throw new SyntaxException("501 5.5.4 Bad NOTIFY parameter");
                    }
                    for (String v : value.toUpperCase(Locale.ROOT).split(",", -1)) {
                        try {
                            notify.add(RcptParameters.Notify.valueOf(v));
                        } catch (IllegalArgumentException e) {
                            throw new SyntaxException("501 5.5.4 Bad NOTIFY parameter");
                        }
                    }
                    if (notify.contains(RcptParameters.Notify.NEVER) && notify.size() > 1) {
                        throw new SyntaxException("501 5.5.4 NOTIFY=NEVER cannot be combined");
                    }
                }
                case "ORCPT" -> {
                    requireDsn(settings);
                    int semi = value == null ? -1 : value.indexOf(';');
                    if (semi <= 0 || value.length() > 500) {
                        throw new SyntaxException("501 5.5.4 Bad ORCPT parameter");
                    }
                    orcpt = value.substring(0, semi) + ";" + xtext(value.substring(semi + 1));
                }
                default -> throw new SyntaxException("555 5.5.4 Unsupported parameter " + safe(key));
            }
        }
        return new RcptParameters(address, notify, orcpt);
    }

    /** Decodes xtext (RFC 3461 §4): {@code +XX} is a hex-encoded octet. */
    public static String xtext(String s) throws SyntaxException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length()) {
                    throw new SyntaxException("501 5.5.4 Bad xtext");
                }
                try {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    throw new SyntaxException("501 5.5.4 Bad xtext");
                }
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                throw new SyntaxException("501 5.5.4 Bad xtext");
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Encodes a string as xtext (for DSN fields). */
    public static String toXtext(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c < '!' || c > '~' || c == '+' || c == '=') {
                b.append('+').append(String.format("%02X", c));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static void requireDsn(SmtpServerSettings settings) throws SyntaxException {
        if (!settings.advertiseDsn()) {
            throw new SyntaxException("555 5.5.4 DSN parameters not supported");
        }
    }

    /** Splits {@code VERB KEYWORD:<path> params} into path and parameter text. */
    private static String[] split(String line, String verb, String keyword) throws SyntaxException {
        String rest = line.length() > verb.length() ? line.substring(verb.length()) : "";
        if (!rest.startsWith(" ") || rest.length() < keyword.length() + 1
                || !rest.substring(1, 1 + keyword.length()).equalsIgnoreCase(keyword)) {
            throw new SyntaxException("501 5.5.4 Syntax: " + verb + " " + keyword + "<address>");
        }
        rest = rest.substring(1 + keyword.length()).stripLeading();
        if (!rest.startsWith("<")) {
            throw new SyntaxException("501 5.5.4 Syntax: " + verb + " " + keyword + "<address>");
        }
        int close = rest.indexOf('>');
        if (close < 0) {
            throw new SyntaxException("501 5.5.4 Syntax: missing '>'");
        }
        if (close + 1 > MAX_PATH) {
            throw new SyntaxException("501 5.1.3 Path too long");
        }
        String params = rest.substring(close + 1);
        if (!params.isEmpty() && !params.startsWith(" ")) {
            throw new SyntaxException("501 5.5.4 Syntax: space needed before parameters");
        }
        return new String[] {rest.substring(1, close), params.trim()};
    }

    private static String path(String inner, boolean nullAllowed) throws SyntaxException {
        // an obsolete source route (@a,@b:user@d) must be accepted and ignored (RFC 5321 §4.1.2)
        if (inner.startsWith("@")) {
            int colon = inner.indexOf(':');
            if (colon < 0) {
                throw new SyntaxException("501 5.1.3 Bad address syntax");
            }
            inner = inner.substring(colon + 1);
        }
        if (inner.isEmpty()) {
            if (nullAllowed) {
                return "";
            }
            throw new SyntaxException("501 5.1.3 Empty recipient address");
        }
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',') {
                throw new SyntaxException("501 5.1.3 Bad address syntax");
            }
        }
        int at = inner.lastIndexOf('@');
        if (at <= 0 || at == inner.length() - 1) {
            // RFC 5321 §4.5.1: "Postmaster" without a domain is a valid recipient
            if (!nullAllowed && inner.equalsIgnoreCase("postmaster")) {
                return inner;
            }
            throw new SyntaxException("501 5.1.3 Bad address syntax");
        }
        if (at > 64 * 4) {
            throw new SyntaxException("501 5.1.3 Local part too long");
        }
        return inner;
    }

    /** ESMTP parameters {@code KEY[=value]} in order, keys upper-cased (value null without '='); a repeated key is a 501. */
    private static Map<String, String> parameters(String text) throws SyntaxException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : text.isEmpty() ? new String[0] : text.split(" +")) {
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (out.containsKey(key)) {
                throw new SyntaxException("501 5.5.4 Duplicate parameter " + safe(key));
            }
            out.put(key, eq < 0 ? null : p.substring(eq + 1));
        }
        return out;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String safe(String key) {
        // sanitise before truncating: the key is client bytes echoed in a reply (no CR, LF or NUL)
        String printable = key.replaceAll("[^A-Z0-9-]", "?");
        return printable.length() > 20 ? printable.substring(0, 20) : printable;
    }
}
