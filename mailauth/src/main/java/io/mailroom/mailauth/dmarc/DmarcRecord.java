package io.mailroom.mailauth.dmarc;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A DMARC policy record (RFC 7489 §6.3). Parsing follows the RFC's leniency: {@code v=DMARC1}
 * must be the first tag, unknown tags and invalid optional values fall back to their defaults,
 * and a record without a valid {@code p} is still usable as {@code p=none} when it names a valid
 * {@code rua} (§6.6.3 step 6).
 *
 * @param policy          p=
 * @param subdomainPolicy sp= (null when absent: p applies to subdomains)
 * @param percent         pct= (0-100, default 100)
 * @param strictDkim      adkim=s
 * @param strictSpf       aspf=s
 * @param rua             aggregate report URIs
 * @param ruf             failure report URIs
 * @param failureOptions  fo= (default "0")
 * @param reportFormat    rf= (default "afrf")
 * @param reportInterval  ri= seconds (default 86400)
 * @param nonexistentPolicy np= (RFC 9989 "DMARC Policy Record Format"; null when absent or read as RFC 7489)
 * @param testMode        t=y (RFC 9989: apply the policy one level below; false as RFC 7489)
 * @param psd             psd= (RFC 9989; {@link Psd#U} when absent or read as RFC 7489)
 * @param text            the record as published
 */
public record DmarcRecord(Policy policy, Policy subdomainPolicy, int percent, boolean strictDkim, boolean strictSpf,
                          List<String> rua, List<String> ruf, String failureOptions, String reportFormat,
                          long reportInterval, Policy nonexistentPolicy, boolean testMode, Psd psd, String text) {

    /** The psd= tag (RFC 9989): y = a public suffix domain, n = an organizational domain, u = unknown. */
    public enum Psd { Y, N, U }

    /** Longest record text considered. */
    static final int MAX_LENGTH = 8192;

    /** Requested handling of failing mail (§6.3 p=). */
    public enum Policy {
        NONE, QUARANTINE, REJECT;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Policy> parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "none" -> Optional.of(NONE);
                case "quarantine" -> Optional.of(QUARANTINE);
                case "reject" -> Optional.of(REJECT);
                default -> Optional.empty();
            };
        }
    }

    private static final Pattern VERSION = Pattern.compile("\\s*v\\s*=\\s*DMARC1\\s*");
    private static final Pattern FO = Pattern.compile("[01ds](?:\\s*:\\s*[01ds])*");

    /** True if the TXT text starts with the DMARC version tag (§6.6.3 step 3). */
    public static boolean isDmarc1(String txt) {
        int semi = txt.indexOf(';');
        return VERSION.matcher(semi < 0 ? txt : txt.substring(0, semi)).matches();
    }

    /** Parses a record as RFC 7489 reads it; see {@link #parse(String, DmarcVersion)}. */
    public static Optional<DmarcRecord> parse(String text) {
        return parse(text, DmarcVersion.RFC7489);
    }

    /**
     * Parses a record; empty when the record is not DMARC1 or has no usable policy. RFC 7489
     * §6.6.3 step 6: no valid p (or an invalid sp) and no valid rua. RFC 9989 §4.10.1: p absent
     * reads as p=none; an invalid p, sp or np without a valid rua leaves no usable record.
     */
    public static Optional<DmarcRecord> parse(String text, DmarcVersion version) {
        boolean bis = version == DmarcVersion.RFC9989;
        if (text == null || text.length() > MAX_LENGTH || !isDmarc1(text)) {
            return Optional.empty();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        String[] parts = text.split(";");
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue; // empty or malformed tag: ignored (§6.3)
            }
            String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            tags.putIfAbsent(name, part.substring(eq + 1).strip());
        }
        List<String> rua = uris(tags.get("rua"));
        List<String> ruf = uris(tags.get("ruf"));
        Optional<Policy> p = Optional.ofNullable(tags.get("p")).flatMap(Policy::parse);
        String spText = tags.get("sp");
        Optional<Policy> sp = Optional.ofNullable(spText).flatMap(Policy::parse);
        String npText = bis ? tags.get("np") : null;
        Optional<Policy> np = Optional.ofNullable(npText).flatMap(Policy::parse);
        Policy policy;
        Policy subdomainPolicy = sp.orElse(null);
        Policy nonexistentPolicy = np.orElse(null);
        if (bis && !tags.containsKey("p") && (spText == null || sp.isPresent()) && (npText == null || np.isPresent())) {
            policy = Policy.NONE; // RFC 9989 p: absent = p=none
        } else if (p.isEmpty() || (spText != null && sp.isEmpty()) || (npText != null && np.isEmpty())) {
            if (rua.isEmpty()) {
                return Optional.empty();
            }
            policy = Policy.NONE; // §6.6.3 step 6.1
            subdomainPolicy = null;
            nonexistentPolicy = null;
        } else {
            policy = p.get();
        }
        int pct = 100;
        String pctText = tags.get("pct");
        if (pctText != null && pctText.matches("[0-9]{1,3}") && Integer.parseInt(pctText) <= 100) {
            pct = Integer.parseInt(pctText);
        }
        String fo = tags.get("fo");
        String rf = tags.get("rf");
        long ri = 86400;
        String riText = tags.get("ri");
        if (riText != null && riText.matches("[0-9]{1,9}")) {
            ri = Long.parseLong(riText);
        }
        return Optional.of(new DmarcRecord(policy, subdomainPolicy, pct, "s".equalsIgnoreCase(tags.get("adkim")),
                "s".equalsIgnoreCase(tags.get("aspf")), rua, ruf, fo != null && FO.matcher(fo).matches() ? fo : "0",
                rf != null && rf.matches("[A-Za-z0-9-]+(?:\\s*:\\s*[A-Za-z0-9-]+)*") ? rf.toLowerCase(Locale.ROOT) : "afrf",
                ri, nonexistentPolicy, bis && "y".equals(tags.get("t")), bis ? psd(tags.get("psd")) : Psd.U, text));
    }

    /** dmarc-psd = "y" / "n" / "u" (RFC 9989 "Formal Definition"); anything else is the default u. */
    private static Psd psd(String value) {
        return switch (value == null ? "u" : value) {
            case "y" -> Psd.Y;
            case "n" -> Psd.N;
            default -> Psd.U;
        };
    }

    /** dmarc-uri list: URIs with a scheme, each optionally followed by "!size" (§6.4); invalid ones dropped. */
    private static List<String> uris(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (String item : value.split(",")) {
            String u = item.strip();
            int bang = u.lastIndexOf('!');
            if (bang > 0 && u.substring(bang + 1).matches("[0-9]+[kmgtKMGT]?")) {
                u = u.substring(0, bang);
            }
            try {
                URI uri = new URI(u);
                if (uri.getScheme() != null && uri.getSchemeSpecificPart() != null && !uri.getSchemeSpecificPart().isEmpty()) {
                    out.add(item.strip());
                }
            } catch (Exception e) {
                // not a URI: dropped
            }
        }
        return List.copyOf(out);
    }
}
