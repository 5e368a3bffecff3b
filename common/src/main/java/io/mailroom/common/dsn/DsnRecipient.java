package io.mailroom.common.dsn;

import java.time.Instant;
import java.util.Objects;

/**
 * One per-recipient block of a {@code message/delivery-status} part (RFC 3464 §2.3).
 *
 * @param originalRecipient the ORCPT value as received in RCPT TO (RFC 3461 §4.2), with its
 *                          address type, e.g. {@code rfc822;Alice@Example.com}; null when none was given
 * @param finalRecipient    the recipient address the MTA tried (plain mailbox, written as {@code rfc822;addr})
 * @param action            failed, delayed, delivered, ...
 * @param status            the enhanced status code, e.g. {@code 5.1.1} (RFC 3463)
 * @param diagnosticCode    the remote server's reply, e.g. {@code 550 5.1.1 no such user}, written as
 *                          {@code smtp; ...}; null when there was none (a local error, a timeout)
 * @param remoteMta         the host name of the server that gave the reply, written as {@code dns; host}; may be null
 * @param lastAttempt       when delivery was last tried; may be null
 * @param willRetryUntil    for {@code delayed}: until when the MTA keeps trying; may be null
 */
public record DsnRecipient(String originalRecipient, String finalRecipient, DsnAction action, String status,
        String diagnosticCode, String remoteMta, Instant lastAttempt, Instant willRetryUntil) {
    public DsnRecipient {
        Objects.requireNonNull(finalRecipient, "finalRecipient");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        if (!status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("not an enhanced status code: " + status);
        }
    }

    /** A recipient that failed permanently with a server's reply. */
    public static DsnRecipient failed(String orcpt, String recipient, String status, String diagnostic, String remoteMta) {
        return new DsnRecipient(orcpt, recipient, DsnAction.FAILED, status, diagnostic, remoteMta, Instant.now(), null);
    }

    /** A recipient still queued after a transient failure. */
    public static DsnRecipient delayed(String orcpt, String recipient, String status, String diagnostic, String remoteMta,
            Instant willRetryUntil) {
        return new DsnRecipient(orcpt, recipient, DsnAction.DELAYED, status, diagnostic, remoteMta, Instant.now(), willRetryUntil);
    }

    /** A recipient delivered (a success DSN, NOTIFY=SUCCESS). */
    public static DsnRecipient delivered(String orcpt, String recipient, String diagnostic, String remoteMta) {
        return new DsnRecipient(orcpt, recipient, DsnAction.DELIVERED, "2.0.0", diagnostic, remoteMta, Instant.now(), null);
    }
}
