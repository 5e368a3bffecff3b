package io.mailroom.mailauth.dmarc;

import io.mailroom.mailauth.message.AddressList;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The RFC5322.From domain DMARC evaluates (RFC 7489 §3.1, §6.6.1), read with the strict
 * {@link AddressList} parser. §6.6.1 lets a receiver refuse what has no single author domain;
 * a receiver that enforces DMARC must, or the domain it checks is not the one the reader sees:
 * no From field or several (RFC 5322 §3.6 allows exactly one), a From that does not parse, one
 * that names no mailbox (an empty group, a display name alone), mailboxes of different domains,
 * or a domain that is not a domain name.
 *
 * @param domain  the author domain, lower-case; null with a problem
 * @param problem why there is no single author domain, else null
 */
public record AuthorDomain(String domain, String problem) {

    public static AuthorDomain of(Message message) {
        List<HeaderField> from = message.headers("From");
        if (from.isEmpty()) {
            return refused("no From field");
        }
        if (from.size() > 1) {
            return refused("several From fields");
        }
        List<AddressList.Mailbox> mailboxes;
        try {
            mailboxes = AddressList.mailboxes(AddressList.parse(from.get(0).rawValue()));
        } catch (AddressList.SyntaxException e) {
            return refused("From does not parse (" + e.getMessage() + ")");
        }
        if (mailboxes.isEmpty()) {
            return refused("From names no mailbox");
        }
        Set<String> domains = new LinkedHashSet<>();
        for (AddressList.Mailbox m : mailboxes) {
            domains.add(m.domain().toLowerCase(Locale.ROOT));
        }
        if (domains.size() > 1) {
            return refused("From has mailboxes in " + domains.size() + " domains");
        }
        String d = domains.iterator().next();
        if (!hostName(d)) {
            return refused("the From domain is not a domain name");
        }
        return new AuthorDomain(d, null);
    }

    private static AuthorDomain refused(String problem) {
        return new AuthorDomain(null, problem);
    }

    /** LDH labels (or 8-bit ones, RFC 6532 U-labels), 1-63 octets, at least two of them. */
    static boolean hostName(String d) {
        if (d.isEmpty() || d.length() > 253) {
            return false;
        }
        String[] labels = d.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63 || l.startsWith("-") || l.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80)) {
                    return false;
                }
            }
        }
        return true;
    }
}
