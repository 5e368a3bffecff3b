package io.mailroom.mailauth.dmarc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The Public Suffix List (publicsuffix.org) and its algorithm, used for the DMARC organizational
 * domain (RFC 7489 §3.2). The bundled list is the upstream {@code public_suffix_list.dat}
 * (MPL-2.0, ICANN and PRIVATE sections); {@link #load(Path)} reads a newer copy, e.g. Debian's
 * {@code /usr/share/publicsuffix/public_suffix_list.dat}. Rules and names are compared in their
 * ASCII (punycode) form; results keep the form of the input, lower-cased.
 */
public final class PublicSuffixList {
    private static final String BUNDLED = "public_suffix_list.dat";
    private static volatile PublicSuffixList bundled;

    private final Set<String> rules = new HashSet<>();
    private final Set<String> wildcards = new HashSet<>();
    private final Set<String> exceptions = new HashSet<>();

    private PublicSuffixList(BufferedReader reader) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("//")) {
                continue;
            }
            int space = line.indexOf(' ');
            String rule = space < 0 ? line : line.substring(0, space); // rules end at the first white space
            if (rule.startsWith("!")) {
                exceptions.add(ascii(rule.substring(1)));
            } else if (rule.startsWith("*.")) {
                wildcards.add(ascii(rule.substring(2)));
            } else {
                rules.add(ascii(rule));
            }
        }
    }

    /** The list shipped inside this library (loaded once). */
    public static PublicSuffixList bundled() {
        PublicSuffixList l = bundled;
        if (l == null) {
            try (InputStream in = PublicSuffixList.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + BUNDLED);
                }
                l = new PublicSuffixList(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bundled = l;
        }
        return l;
    }

    /** Reads a list in the publicsuffix.org format. */
    public static PublicSuffixList load(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new PublicSuffixList(r);
        }
    }

    /**
     * The registrable domain (public suffix plus one label) of a domain name, or null when the
     * name is itself a public suffix or not a usable domain name (empty labels, leading dot).
     */
    public String registrableDomain(String domain) {
        if (domain == null) {
            return null;
        }
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 1024) {
            return null;
        }
        String[] labels = d.split("\\.", -1);
        String[] asciiLabels = new String[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].isEmpty()) {
                return null;
            }
            try {
                asciiLabels[i] = ascii(labels[i]);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        int n = labels.length;
        int suffixLabels = 1; // the implicit "*" rule
        for (int i = 0; i < n; i++) {
            int len = n - i;
            String suffix = String.join(".", java.util.Arrays.copyOfRange(asciiLabels, i, n));
            if (exceptions.contains(suffix)) {
                suffixLabels = len - 1; // an exception rule always prevails
                break;
            }
            if (len > suffixLabels && (rules.contains(suffix)
                    || (i + 1 < n && wildcards.contains(String.join(".", java.util.Arrays.copyOfRange(asciiLabels, i + 1, n)))))) {
                suffixLabels = len;
            }
        }
        if (n <= suffixLabels) {
            return null;
        }
        return String.join(".", java.util.Arrays.copyOfRange(labels, n - suffixLabels - 1, n));
    }

    /** True if the name is a public suffix (e.g. {@code com}, {@code co.uk}). */
    public boolean isPublicSuffix(String domain) {
        return domain != null && !domain.isEmpty() && !domain.startsWith(".") && registrableDomain(domain) == null;
    }

    private static String ascii(String label) {
        return IDN.toASCII(label, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    }
}
