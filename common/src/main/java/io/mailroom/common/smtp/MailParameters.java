package io.mailroom.common.smtp;

/**
 * A parsed {@code MAIL FROM} command (RFC 5321 §4.1.1.2 with its ESMTP parameters).
 *
 * @param address     the reverse-path without angle brackets; empty for the null sender {@code <>}
 * @param size        the declared SIZE (RFC 1870), or -1
 * @param body        the BODY parameter ({@code 7BIT}, {@code 8BITMIME}) or null
 * @param smtpUtf8    SMTPUTF8 was given (RFC 6531)
 * @param ret         RET of RFC 3461 ({@code FULL}/{@code HDRS}) or null
 * @param envelopeId  ENVID of RFC 3461, xtext-decoded, or null
 * @param requireTls  REQUIRETLS was given (RFC 8689; only accepted over TLS)
 * @param authSender  the AUTH= parameter of RFC 4954 (xtext-decoded; {@code <>} as given) or null
 */
public record MailParameters(String address, long size, String body, boolean smtpUtf8, String ret,
        String envelopeId, boolean requireTls, String authSender) {

    public boolean nullSender() {
        return address.isEmpty();
    }
}
