package io.mailroom.mailauth.dns;

import java.net.InetAddress;

/** The reverse-mapping name of an address ({@code in-addr.arpa} / nibble {@code ip6.arpa}, RFC 3596 §2.5). */
public final class ReverseNames {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ReverseNames() {}

    public static String of(InetAddress address) {
        byte[] b = address.getAddress();
        StringBuilder sb = new StringBuilder();
        if (b.length == 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(b[i] & 0xff).append('.');
            }
            return sb.append("in-addr.arpa").toString();
        }
        for (int i = b.length - 1; i >= 0; i--) {
            sb.append(HEX[b[i] & 0xf]).append('.').append(HEX[(b[i] >> 4) & 0xf]).append('.');
        }
        return sb.append("ip6.arpa").toString();
    }
}
