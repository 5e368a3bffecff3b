package io.mailroom.mailauth.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses IP address literals without ever making a DNS query (InetAddress.ofLiteral arrived after Java 21). */
public final class IpLiterals {
    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private IpLiterals() {}

    /** A dotted-quad IPv4 or a textual IPv6 address; IllegalArgumentException for anything else. */
    public static InetAddress parse(String text) {
        if (text == null || text.length() > 45 || !(IPV4.matcher(text).matches() || IPV6_CHARS.matcher(text).matches())) {
            throw new IllegalArgumentException("not an IP address literal: " + text);
        }
        try {
            // Only digits, dots and colons reach here: Java parses them as literals and never resolves them.
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + text, e);
        }
    }
}
