package io.mailroom.inbox;

import java.util.List;

/** Formats and recognises our ONE Authentication-Results header (RFC 8601). */
final class AuthResultsHeader {
    private AuthResultsHeader() {}

    /** The field value: {@code authserv-id; resinfo; resinfo} or {@code authserv-id; none}. */
    static String format(String authservId, List<MailAuthentication.Entry> entries) {
        if (entries.isEmpty()) {
            return authservId + "; none";
        }
        StringBuilder b = new StringBuilder(authservId);
        for (MailAuthentication.Entry e : entries) {
            b.append(";\r\n\t").append(e.resinfo());
        }
        return b.toString();
    }

    /** The authserv-id of a field value (before the first ';', comments and version removed). */
    static String authservId(String value) {
        String v = value.replaceAll("\\([^)]*\\)", " ").trim();
        int semi = v.indexOf(';');
        String id = (semi < 0 ? v : v.substring(0, semi)).trim();
        int space = id.indexOf(' ');
        return space < 0 ? id : id.substring(0, space); // "example.net 1" has a version
    }
}
