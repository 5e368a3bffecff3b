package io.mailroom.inbox;

import io.mailroom.common.lmtp.SmtpReply;
import java.util.List;

/**
 * The one SMTP reply to DATA from Dovecot's per-recipient LMTP replies. SMTP has one reply for
 * all recipients (RFC 5321 §4.1.1.4), so:
 * <ul>
 * <li>all delivered: 250;</li>
 * <li>none delivered: Dovecot's reply — 4xx if any recipient failed temporarily (the sender
 *     retries, nothing is lost), else 5xx (the sender bounces);</li>
 * <li>some delivered, some not (rare: recipients are checked at RCPT, so this needs a failure
 *     inside Dovecot between RCPT and DATA): 451. The sender retries the whole message; the
 *     delivery ledger remembers who already has it so the retry delivers only to the rest.
 *     Replying 250 instead would lose the message for the failed recipients, since the Inbox
 *     keeps no queue.</li>
 * </ul>
 */
public record DeliveryOutcome(SmtpReply reply, String result) {

    public static DeliveryOutcome combine(List<SmtpReply> replies) {
        long ok = replies.stream().filter(SmtpReply::positive).count();
        if (ok == replies.size()) {
            return new DeliveryOutcome(new SmtpReply(250, List.of("2.0.0 Ok")), "delivered");
        }
        if (ok > 0) {
            return new DeliveryOutcome(new SmtpReply(451,
                    List.of("4.3.0 Delivered to some recipients only, try again later (the others will not get it twice)")),
                    "partial");
        }
        SmtpReply firstTemp = replies.stream().filter(SmtpReply::transientFailure).findFirst().orElse(null);
        SmtpReply chosen = firstTemp != null ? firstTemp : replies.get(0);
        String text = chosen.text();
        if (!text.matches("^[245]\\.\\d{1,3}\\.\\d{1,3}( .*)?")) {
            text = (chosen.transientFailure() ? "4.2.0 " : "5.2.0 ") + text;
        }
        return new DeliveryOutcome(new SmtpReply(chosen.code(), List.of(text)),
                chosen.transientFailure() ? "tempfail" : "rejected");
    }
}
