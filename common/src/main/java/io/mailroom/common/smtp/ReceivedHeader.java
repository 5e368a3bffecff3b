package io.mailroom.common.smtp;

import java.net.InetAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Builds a {@code Received:} trace header (RFC 5321 §4.4) with the protocol keywords of RFC 3848
 * / RFC 6531 (ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP...) and a Postfix-style TLS comment.
 * Values that come from the client (HELO name) are cleaned so they cannot break the header.
 *
 * <pre>
 * String h = ReceivedHeader.builder().helo("mail.example.com").address(ip).reverseName("mail.example.com")
 *         .by("mx.example.net").software("Mail Room").tls("TLSv1.3", "TLS_AES_256_GCM_SHA384")
 *         .esmtp(true).authenticated(false).smtpUtf8(false).id("4AbC").recipient("bob@example.net")
 *         .build(); // "Received: from ...; Wed, 25 Nov 2026 14:50:23 +0000\r\n"
 * </pre>
 */
public final class ReceivedHeader {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private String helo;
    private InetAddress address;
    private String reverseName;
    private String by = "localhost";
    private String software;
    private String tlsProtocol;
    private String tlsCipher;
    private boolean esmtp = true;
    private boolean authenticated;
    private boolean smtpUtf8;
    private String id;
    private String recipient;
    private ZonedDateTime date;

    private ReceivedHeader() {}

    public static ReceivedHeader builder() {
        return new ReceivedHeader();
    }

    /** The name the client gave in HELO/EHLO. */
    public ReceivedHeader helo(String v) { helo = v; return this; }
    /** The client's IP address. */
    public ReceivedHeader address(InetAddress v) { address = v; return this; }
    /** The verified reverse DNS name of the client, or null ("unknown"). */
    public ReceivedHeader reverseName(String v) { reverseName = v; return this; }
    /** Our host name. */
    public ReceivedHeader by(String v) { by = v; return this; }
    /** Our software name, shown as a comment after the host name. */
    public ReceivedHeader software(String v) { software = v; return this; }
    /** The TLS protocol and cipher of the session, or nulls for plaintext. */
    public ReceivedHeader tls(String protocol, String cipher) { tlsProtocol = protocol; tlsCipher = cipher; return this; }
    public ReceivedHeader esmtp(boolean v) { esmtp = v; return this; }
    public ReceivedHeader authenticated(boolean v) { authenticated = v; return this; }
    public ReceivedHeader smtpUtf8(boolean v) { smtpUtf8 = v; return this; }
    /** Our queue or session id. */
    public ReceivedHeader id(String v) { id = v; return this; }
    /** The single recipient (only set for one-recipient transactions, to not disclose Bcc). */
    public ReceivedHeader recipient(String v) { recipient = v; return this; }
    public ReceivedHeader date(ZonedDateTime v) { date = v; return this; }

    /** The protocol keyword for the "with" clause (RFC 3848, RFC 6531). */
    public String protocol() {
        if (!esmtp) {
            return "SMTP";
        }
        String base = smtpUtf8 ? "UTF8SMTP" : "ESMTP";
        String suffix = (tlsProtocol != null ? "S" : "") + (authenticated ? "A" : "");
        return base + suffix;
    }

    /** The complete header field, folded, ending in CRLF. */
    public String build() {
        StringBuilder b = new StringBuilder("Received: from ");
        b.append(clean(helo == null || helo.isBlank() ? "unknown" : helo));
        if (address != null) {
            b.append(" (").append(reverseName == null ? "unknown" : clean(reverseName))
                    .append(" [").append(address.getHostAddress()).append("])");
        }
        if (tlsProtocol != null) {
            b.append("\r\n\t(using ").append(clean(tlsProtocol)).append(" with cipher ")
                    .append(clean(tlsCipher == null ? "unknown" : tlsCipher)).append(')');
        }
        b.append("\r\n\tby ").append(clean(by));
        if (software != null) {
            b.append(" (").append(clean(software).replace('?', ' ')).append(')');
        }
        b.append(" with ").append(protocol());
        if (id != null) {
            b.append(" id ").append(clean(id));
        }
        if (recipient != null) {
            b.append("\r\n\tfor <").append(clean(recipient)).append('>');
        }
        b.append("; ").append(DATE.format(date == null ? ZonedDateTime.now() : date)).append("\r\n");
        return b.toString();
    }

    /** Keeps printable ASCII/UTF-8 without comment or bracket delimiters; at most 255 chars. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 255));
        for (int i = 0; i < s.length() && b.length() < 255; i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c == 0x7f || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\'
                    || c == '<' || c == '>' || c == ';') {
                b.append('?');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
