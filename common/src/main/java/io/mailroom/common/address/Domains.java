package io.mailroom.common.address;

import io.mailroom.common.InvalidInputException;
import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/** Domain names in canonical form: A-labels (IDNA 2003 via the JDK), lower case, no trailing dot. */
public final class Domains {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Domains() {}

    public static String canonical(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("domain is empty");
        }
        String d = text.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("invalid domain " + EmailAddress.printable(text) + ": " + e.getMessage());
        }
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
}
