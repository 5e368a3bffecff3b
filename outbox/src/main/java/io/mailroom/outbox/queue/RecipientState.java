package io.mailroom.outbox.queue;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The persisted state of one recipient of a queued message.
 *
 * @param address    the envelope recipient (RCPT TO)
 * @param orcpt      the ORCPT parameter, xtext-decoded ({@code rfc822;addr}), or null
 * @param notifyOn   the NOTIFY parameter as given (e.g. {@code FAILURE,DELAY}), or null for the default
 * @param status     where this recipient stands
 * @param attempts   delivery attempts so far
 * @param lastReply  the last reply or error text, or null
 * @param remoteMta  the host that gave {@code lastReply}, or null
 * @param delayNotified true once a delay DSN was sent for this recipient
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecipientState(String address, String orcpt, String notifyOn, Status status, int attempts,
        String lastReply, String remoteMta, boolean delayNotified) {
    public enum Status { PENDING, DELIVERED, FAILED }

    public static RecipientState pending(String address, String orcpt, String notify) {
        return new RecipientState(address, orcpt, notify, Status.PENDING, 0, null, null, false);
    }

    public RecipientState delivered(String reply, String mta) {
        return new RecipientState(address, orcpt, notifyOn, Status.DELIVERED, attempts + 1, reply, mta, delayNotified);
    }

    public RecipientState failed(String reply, String mta) {
        return new RecipientState(address, orcpt, notifyOn, Status.FAILED, attempts + 1, reply, mta, delayNotified);
    }

    public RecipientState deferred(String reply, String mta) {
        return new RecipientState(address, orcpt, notifyOn, Status.PENDING, attempts + 1, reply, mta, delayNotified);
    }

    public RecipientState withDelayNotified() {
        return new RecipientState(address, orcpt, notifyOn, status, attempts, lastReply, remoteMta, true);
    }

    public String domain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** RFC 3461 §4.1: NOTIFY=NEVER, or a list; absent means FAILURE and DELAY here. */
    public boolean wants(String kind) {
        if (notifyOn == null || notifyOn.isBlank()) {
            return !kind.equals("SUCCESS");
        }
        for (String k : notifyOn.split(",")) {
            if (k.trim().equalsIgnoreCase(kind)) {
                return true;
            }
        }
        return false;
    }
}
