package io.mailroom.mailauth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code v=spf1} record (RFC 7208 §4.6, §12 ABNF). Parsing checks the whole record,
 * so that a syntax error anywhere is a permerror before any mechanism is evaluated (§4.6).
 */
public record SpfRecord(List<Mechanism> mechanisms, String redirect, String exp) {

    /** Longest record text accepted (a DNS message cannot carry much more; guards against hostile input). */
    static final int MAX_LENGTH = 64 * 1024;
    /** Most terms accepted in one record. */
    static final int MAX_TERMS = 1024;

    public enum Qualifier {
        PASS('+'), FAIL('-'), SOFTFAIL('~'), NEUTRAL('?');

        final char symbol;

        Qualifier(char symbol) {
            this.symbol = symbol;
        }

        SpfResult.Result result() {
            return SpfResult.Result.valueOf(name());
        }
    }

    public enum Kind { ALL, INCLUDE, A, MX, PTR, IP4, IP6, EXISTS }

    /**
     * One directive. {@code domainSpec} is the unexpanded target (null for the current domain);
     * {@code network} and {@code cidr4}/{@code cidr6} hold ip4/ip6 networks and a/mx prefix lengths.
     */
    public record Mechanism(Qualifier qualifier, Kind kind, String domainSpec, InetAddress network, int cidr4, int cidr6) {}

    private static final Pattern VERSION = Pattern.compile("(?i)v=spf1(?: .*)?", Pattern.DOTALL);
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern MECHANISM = Pattern.compile("([+\\-~?]?)([A-Za-z][A-Za-z0-9_.-]*)(.*)", Pattern.DOTALL);
    private static final Pattern DUAL_CIDR = Pattern.compile(
            "(?::(.*?))?(?:/(0|[1-9][0-9]?))?(?://(0|[1-9][0-9]{0,2}))?", Pattern.DOTALL);
    private static final Pattern IP4 = Pattern.compile(
            "((?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))(?:/(0|[1-9][0-9]?))?");
    private static final Pattern IP6 = Pattern.compile("([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?:/(0|[1-9][0-9]{0,2}))?");
    private static final Pattern TOPLABEL = Pattern.compile(
            "[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]");

    /** True if the TXT record text is an SPF version 1 record (RFC 7208 §4.5). */
    public static boolean isSpf1(String txt) {
        return txt.length() >= 6 && VERSION.matcher(txt).matches();
    }

    /** Parses a record that {@link #isSpf1} accepted; throws {@link SpfException.PermError} on any syntax error. */
    public static SpfRecord parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new SpfException.PermError("SPF record too long");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7e || (c < 0x20)) {
                throw new SpfException.PermError("SPF record contains a non-ASCII or control character");
            }
        }
        if (!isSpf1(text)) {
            throw new SpfException.PermError("not a v=spf1 record");
        }
        List<Mechanism> mechanisms = new ArrayList<>();
        String redirect = null;
        String exp = null;
        int terms = 0;
        for (String term : text.substring(6).split(" ")) {
            if (term.isEmpty()) {
                continue;
            }
            if (++terms > MAX_TERMS) {
                throw new SpfException.PermError("SPF record has too many terms");
            }
            Matcher mod = MODIFIER.matcher(term);
            if (mod.matches()) {
                String name = mod.group(1).toLowerCase(Locale.ROOT);
                String value = mod.group(2);
                switch (name) {
                    case "redirect" -> {
                        if (redirect != null) {
                            throw new SpfException.PermError("more than one redirect= modifier");
                        }
                        redirect = domainSpec(value, term);
                    }
                    case "exp" -> {
                        if (exp != null) {
                            throw new SpfException.PermError("more than one exp= modifier");
                        }
                        exp = domainSpec(value, term);
                    }
                    default -> MacroExpander.validate(value, false); // unknown modifiers are ignored (§6)
                }
                continue;
            }
            mechanisms.add(mechanism(term));
        }
        return new SpfRecord(List.copyOf(mechanisms), redirect, exp);
    }

    private static Mechanism mechanism(String term) {
        Matcher m = MECHANISM.matcher(term);
        if (!m.matches()) {
            throw new SpfException.PermError("invalid term '" + term + "'");
        }
        Qualifier q = switch (m.group(1)) {
            case "-" -> Qualifier.FAIL;
            case "~" -> Qualifier.SOFTFAIL;
            case "?" -> Qualifier.NEUTRAL;
            default -> Qualifier.PASS;
        };
        String name = m.group(2).toLowerCase(Locale.ROOT);
        String rest = m.group(3);
        switch (name) {
            case "all" -> {
                if (!rest.isEmpty()) {
                    throw new SpfException.PermError("invalid term '" + term + "'");
                }
                return new Mechanism(q, Kind.ALL, null, null, 32, 128);
            }
            case "include", "exists" -> {
                if (!rest.startsWith(":")) {
                    throw new SpfException.PermError(name + " needs a domain: '" + term + "'");
                }
                return new Mechanism(q, name.equals("include") ? Kind.INCLUDE : Kind.EXISTS,
                        domainSpec(rest.substring(1), term), null, 32, 128);
            }
            case "ptr" -> {
                String spec = null;
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new SpfException.PermError("invalid term '" + term + "'");
                    }
                    spec = domainSpec(rest.substring(1), term);
                }
                return new Mechanism(q, Kind.PTR, spec, null, 32, 128);
            }
            case "a", "mx" -> {
                Matcher c = DUAL_CIDR.matcher(rest);
                if (!c.matches()) {
                    throw new SpfException.PermError("invalid term '" + term + "'");
                }
                String spec = c.group(1) == null ? null : domainSpec(c.group(1), term);
                int cidr4 = cidr(c.group(2), 32, term);
                int cidr6 = cidr(c.group(3), 128, term);
                return new Mechanism(q, name.equals("a") ? Kind.A : Kind.MX, spec, null, cidr4, cidr6);
            }
            case "ip4" -> {
                Matcher ip = rest.startsWith(":") ? IP4.matcher(rest.substring(1)) : null;
                if (ip == null || !ip.matches()) {
                    throw new SpfException.PermError("invalid ip4 network in '" + term + "'");
                }
                return new Mechanism(q, Kind.IP4, null, literal(ip.group(1), term), cidr(ip.group(2), 32, term), 128);
            }
            case "ip6" -> {
                Matcher ip = rest.startsWith(":") ? IP6.matcher(rest.substring(1)) : null;
                if (ip == null || !ip.matches()) {
                    throw new SpfException.PermError("invalid ip6 network in '" + term + "'");
                }
                InetAddress net = literal(ip.group(1), term);
                if (net instanceof Inet4Address v4) { // ::ffff:a.b.c.d is kept as the IPv6 address it names
                    byte[] b = new byte[16];
                    b[10] = (byte) 0xff;
                    b[11] = (byte) 0xff;
                    System.arraycopy(v4.getAddress(), 0, b, 12, 4);
                    try {
                        net = InetAddress.getByAddress(b);
                    } catch (UnknownHostException e) {
                        throw new SpfException.PermError("invalid ip6 network in '" + term + "'");
                    }
                }
                return new Mechanism(q, Kind.IP6, null, net, 32, cidr(ip.group(2), 128, term));
            }
            default -> throw new SpfException.PermError("unknown mechanism '" + term + "'");
        }
    }

    private static int cidr(String digits, int max, String term) {
        if (digits == null) {
            return max;
        }
        int n = Integer.parseInt(digits);
        if (n > max) {
            throw new SpfException.PermError("invalid prefix length in '" + term + "'");
        }
        return n;
    }

    private static InetAddress literal(String text, String term) {
        try {
            return io.mailroom.mailauth.dns.IpLiterals.parse(text);
        } catch (RuntimeException e) {
            throw new SpfException.PermError("invalid IP address in '" + term + "'");
        }
    }

    /** Checks domain-spec = macro-string domain-end (RFC 7208 §7.1) and returns it unchanged. */
    static String domainSpec(String spec, String term) {
        if (spec.isEmpty()) {
            throw new SpfException.PermError("empty domain in '" + term + "'");
        }
        MacroExpander.validate(spec, false);
        if (MacroExpander.endsWithMacro(spec)) {
            return spec;
        }
        String s = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
        int dot = s.lastIndexOf('.');
        if (dot < 0 || !TOPLABEL.matcher(s.substring(dot + 1)).matches()) {
            throw new SpfException.PermError("invalid domain '" + spec + "' in '" + term + "'");
        }
        return spec;
    }
}
