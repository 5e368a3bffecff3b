package io.mailroom.outbox.queue;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
 * @param history    the last {@value #MAX_HISTORY} attempts, oldest first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecipientState(String address, String orcpt, String notifyOn, Status status, int attempts,
        String lastReply, String remoteMta, boolean delayNotified, List<Attempt> history) {
    public enum Status { PENDING, DELIVERED, FAILED }

    /** Enough to see a pattern (every 4 h for 5 days is 30 attempts) while the state file stays small. */
    public static final int MAX_HISTORY = 20;

    public RecipientState {
        history = history == null ? List.of() : List.copyOf(history); // spools written before the history existed
    }

    public static RecipientState pending(String address, String orcpt, String notify) {
        return new RecipientState(address, orcpt, notify, Status.PENDING, 0, null, null, false, List.of());
    }

    public RecipientState delivered(Instant at, String reply, String mta) {
        return next(Status.DELIVERED, new Attempt(at, "delivered", reply, mta));
    }

    public RecipientState failed(Instant at, String reply, String mta) {
        return next(Status.FAILED, new Attempt(at, "failed", reply, mta));
    }

    public RecipientState deferred(Instant at, String reply, String mta) {
        return next(Status.PENDING, new Attempt(at, "deferred", reply, mta));
    }

    /** Given up without a new attempt: the queue expired ({@code failed}) or an administrator bounced it. */
    public RecipientState givenUp(Instant at, String outcome, String reply) {
        List<Attempt> h = append(new Attempt(at, outcome, reply, null));
        return new RecipientState(address, orcpt, notifyOn, Status.FAILED, attempts, reply, remoteMta, delayNotified, h);
    }

    public RecipientState withDelayNotified() {
        return new RecipientState(address, orcpt, notifyOn, status, attempts, lastReply, remoteMta, true, history);
    }

    private RecipientState next(Status s, Attempt a) {
        return new RecipientState(address, orcpt, notifyOn, s, attempts + 1, a.reply(), a.remoteMta(), delayNotified,
                append(a));
    }

    private List<Attempt> append(Attempt a) {
        List<Attempt> h = new ArrayList<>(history);
        h.add(a);
        return h.size() > MAX_HISTORY ? h.subList(h.size() - MAX_HISTORY, h.size()) : h;
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
