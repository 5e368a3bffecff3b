package io.mailroom.common.smtp;

import java.util.Set;

/**
 * A parsed {@code RCPT TO} command (RFC 5321 §4.1.1.3) with the DSN parameters of RFC 3461.
 *
 * @param address          the forward-path without angle brackets (source route removed)
 * @param notifyOn         NOTIFY values ({@code NEVER}, or any of {@code SUCCESS FAILURE DELAY});
 *                         empty when not given
 * @param originalRecipient ORCPT as {@code addr-type;address} with the address xtext-decoded, or null
 */
public record RcptParameters(String address, Set<Notify> notifyOn, String originalRecipient) {

    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    public RcptParameters {
        notifyOn = Set.copyOf(notifyOn);
    }

    public boolean notifySuccess() {
        return notifyOn.contains(Notify.SUCCESS);
    }
}
