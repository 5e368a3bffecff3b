package io.mailroom.common.address;

import io.mailroom.common.InvalidInputException;
import com.ibm.icu.text.IDNA;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Domain names in canonical form: A-labels, lower case, no trailing dot. IDNA2008 with the UTS #46
 * mapping, non-transitional (ICU4J), as browsers and current mail software use it: java.net.IDN
 * is IDNA2003, which maps 'ß' to "ss" and drops ZERO WIDTH JOINER, so faß.de and fass.de (two
 * registrable domains) would be one account store domain.
 */
public final class Domains {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** RFC 5891 §5.4 (Bidi) and §5.4/RFC 5892 CONTEXTJ checks, STD3 (LDH) ASCII rules. */
    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.USE_STD3_RULES);

    private Domains() {}

    public static String canonical(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("domain is empty");
        }
        String d = text.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        IDNA.Info info = new IDNA.Info();
        StringBuilder out = new StringBuilder();
        UTS46.nameToASCII(d, out, info);
        if (info.hasErrors()) {
            throw new InvalidInputException("invalid domain " + EmailAddress.printable(text) + ": " + info.getErrors());
        }
        String ascii = out.toString().toLowerCase(Locale.ROOT);
        if (ascii.length() > 253 || ascii.isEmpty()) {
            throw new InvalidInputException("invalid domain " + EmailAddress.printable(text) + ": bad length");
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw new InvalidInputException("invalid domain " + EmailAddress.printable(text) + ": needs at least two labels");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new InvalidInputException("invalid domain " + EmailAddress.printable(text));
            }
        }
        return ascii;
    }

    /** The domain in Unicode form (U-labels), for display; the input when it does not convert. */
    public static String unicode(String ascii) {
        IDNA.Info info = new IDNA.Info();
        StringBuilder out = new StringBuilder();
        UTS46.nameToUnicode(ascii, out, info);
        return info.hasErrors() ? ascii : out.toString();
    }
}
