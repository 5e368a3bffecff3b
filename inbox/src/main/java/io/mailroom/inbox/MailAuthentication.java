package io.mailroom.inbox;

import java.net.InetAddress;
import java.util.List;

/**
 * The mail authentication checks the Inbox runs (implemented with {@code mailauth}). Results are
 * {@link Entry}s of one Authentication-Results header (RFC 8601); the Inbox applies the
 * per-check policy (off / tag / enforce).
 */
public interface MailAuthentication {

    /** One resinfo: {@code method=result (reason) properties}, e.g. {@code spf=pass smtp.mailfrom=a@b.test}. */
    record Entry(String method, String result, String properties, String reason) {
        public String resinfo() {
            StringBuilder b = new StringBuilder(method).append('=').append(result);
            if (reason != null && !reason.isBlank()) {
                b.append(" reason=\"").append(reason.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            if (properties != null && !properties.isBlank()) {
                b.append(' ').append(properties);
            }
            return b.toString();
        }
    }

    /**
     * What the end-of-data checks found.
     *
     * @param entries      dkim, arc, dmarc entries (only of the checks asked for)
     * @param dkimFailed   signatures were present and none verified
     * @param arcFailed    an ARC chain was present and is broken
     * @param arcPassed    a valid ARC chain vouches for the message (forwarding exception to DMARC)
     * @param dmarcReject  DMARC failed with disposition reject (after pct)
     */
    record Verdict(List<Entry> entries, boolean dkimFailed, boolean arcFailed, boolean arcPassed, boolean dmarcReject) {}

    /** SPF for the MAIL FROM identity (the HELO identity when MAIL FROM is empty). */
    Entry spf(InetAddress client, String helo, String mailFrom);

    /** DKIM / ARC / DMARC of the message as received. */
    Verdict verify(byte[] message, Entry spf, boolean dkim, boolean arc, boolean dmarc);
}
