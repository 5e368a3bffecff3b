package io.mailroom.common.address;

import io.mailroom.common.InvalidInputException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A mailbox address in canonical form: local part lower-cased, domain lower-cased and
 * converted to A-labels (IDNA). Only the dot-atom local parts of RFC 5321 are accepted,
 * plus UTF-8 local parts (RFC 6531); quoted local parts are refused because they cannot be
 * stored safely in Dovecot's user names.
 */
public record EmailAddress(String localPart, String domain) {
    public static final int MAX_LOCAL_PART = 64;
    public static final int MAX_ADDRESS = 254;

    // atext of RFC 5322 plus any non-ASCII code point (RFC 6531), dot-separated
    private static final Pattern LOCAL_PART =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\P{ASCII}]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\P{ASCII}]+)*");

    public EmailAddress {
        if (localPart == null || domain == null) {
            throw new InvalidInputException("address needs a local part and a domain");
        }
    }

    /** Parses and canonicalises {@code local@domain}; throws {@link InvalidInputException} with the reason. */
    public static EmailAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("address is empty");
        }
        String s = text.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new InvalidInputException("not an email address: " + printable(text));
        }
        String local = s.substring(0, at);
        if (local.length() > MAX_LOCAL_PART) {
            throw new InvalidInputException("local part longer than " + MAX_LOCAL_PART + " characters");
        }
        if (!LOCAL_PART.matcher(local).matches()) {
            throw new InvalidInputException("invalid local part in " + printable(text));
        }
        String domain = Domains.canonical(s.substring(at + 1));
        EmailAddress a = new EmailAddress(local.toLowerCase(Locale.ROOT), domain);
        if (a.toString().length() > MAX_ADDRESS) {
            throw new InvalidInputException("address longer than " + MAX_ADDRESS + " characters");
        }
        return a;
    }

    /** The address without a {@code +tag} sub-address, or this address when it has none. */
    public EmailAddress withoutTag(char delimiter) {
        int i = localPart.indexOf(delimiter);
        return i > 0 ? new EmailAddress(localPart.substring(0, i), domain) : this;
    }

    /** The domain in Unicode form, for display. */
    public String unicodeDomain() {
        return Domains.unicode(domain);
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }

    /** Makes user input safe to echo in an error message: no control characters, bounded length. */
    static String printable(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return '"' + (clean.length() > 80 ? clean.substring(0, 80) + "..." : clean) + '"';
    }
}
