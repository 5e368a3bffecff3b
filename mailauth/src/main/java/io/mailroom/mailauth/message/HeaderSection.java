package io.mailroom.mailauth.message;

/**
 * The receiving-side check that a header section (RFC 5322 §2.2, §3.5) has exactly one reading.
 * {@link Message#parse} is lenient on purpose (DKIM must hash what it got); a receiver that then
 * hands the message to Dovecot and mail clients must not: where they would see a field that we
 * skipped, or a field end that we did not see, a forged field can hide. So a header section with
 * any of these is refused, not repaired:
 * <ul>
 * <li>a line that is neither a field ({@code ftext+ [WSP] ":"}, §3.6.8, obs-optional §4.5) nor a
 *     continuation of one (§2.2.3), a continuation before the first field;</li>
 * <li>NUL, a CR not followed by LF, an LF not preceded by CR (§2.2, §3.5);</li>
 * <li>a line longer than 998 characters (§2.1.1);</li>
 * <li>a field longer than {@link #MAX_FIELD_BYTES} when unfolded (relays such as Postfix
 *     truncate such a field at header_size_limit, 102400, and so read the rest differently);</li>
 * <li>8-bit octets when the client did not ask for SMTPUTF8 (RFC 6532 §3, RFC 6531 §3.2);</li>
 * <li>a header section longer than {@link Message#MAX_HEADER_BYTES}, beyond which
 *     {@link Message#parse} stops reading fields.</li>
 * </ul>
 */
public final class HeaderSection {
    /** RFC 5322 §2.1.1: lines MUST be no more than 998 characters, excluding the CRLF. */
    public static final int MAX_LINE = 998;
    /** One field, all its lines: far above any real one (a DKIM-Signature is a few KB), below Postfix's limit. */
    public static final int MAX_FIELD_BYTES = 64 * 1024;

    private HeaderSection() {}

    /**
     * Checks the header section at the start of {@code message}.
     *
     * @param utf8 the client gave SMTPUTF8 (RFC 6531), so 8-bit header text is allowed
     * @return null when it has one reading, else what is wrong (for the refusal's text)
     */
    public static String problem(byte[] message, boolean utf8) {
        int pos = 0;
        int n = message.length;
        int fieldStart = -1;
        int line = 0;
        while (pos < n) {
            line++;
            int end = pos;
            while (end < n && message[end] != '\n' && message[end] != '\r') {
                byte b = message[end];
                if (b == 0) {
                    return "NUL in header line " + line;
                }
                if (b < 0 && !utf8) {
                    return "8-bit octet in header line " + line + " without SMTPUTF8";
                }
                end++;
            }
            if (end < n) {
                if (message[end] == '\n' || end + 1 >= n || message[end + 1] != '\n') {
                    return "bare CR or LF in header line " + line;
                }
            }
            if (end == pos) {
                return null; // the empty line: the header section ends here
            }
            if (end - pos > MAX_LINE) {
                return "header line " + line + " longer than " + MAX_LINE + " characters";
            }
            byte first = message[pos];
            if (first == ' ' || first == '\t') {
                if (fieldStart < 0) {
                    return "header line " + line + " continues no field";
                }
            } else {
                if (!fieldName(message, pos, end)) {
                    return "header line " + line + " is not a field (name and colon)";
                }
                fieldStart = pos;
            }
            if (end - fieldStart > MAX_FIELD_BYTES) {
                return "header field at line " + line + " longer than " + MAX_FIELD_BYTES + " bytes";
            }
            pos = end < n ? end + 2 : n;
            if (pos > Message.MAX_HEADER_BYTES) {
                return "header section longer than " + Message.MAX_HEADER_BYTES + " bytes";
            }
        }
        return null; // a message of header fields only (the body is optional, §3.5)
    }

    /** {@code ftext+ *WSP ":"} at the start of the line (§3.6.8; WSP before the colon is obs-optional, §4.5). */
    private static boolean fieldName(byte[] m, int from, int end) {
        int i = from;
        while (i < end && m[i] >= 33 && m[i] <= 126 && m[i] != ':') {
            i++;
        }
        if (i == from) {
            return false;
        }
        while (i < end && (m[i] == ' ' || m[i] == '\t')) {
            i++;
        }
        return i < end && m[i] == ':';
    }
}
