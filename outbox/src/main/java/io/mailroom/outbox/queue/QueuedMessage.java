package io.mailroom.outbox.queue;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The envelope and per-recipient state of a spooled message ({@code <id>.json} next to the
 * message bytes in {@code <id>.eml}).
 *
 * @param id          spool id
 * @param sender      envelope sender; empty for the null reverse path (DSNs)
 * @param envid       ENVID, xtext-decoded, or null
 * @param ret         RET ({@code FULL}/{@code HDRS}) or null
 * @param smtputf8    the submission used SMTPUTF8
 * @param eightBit    the message body is 8-bit (BODY=8BITMIME or non-ASCII content)
 * @param size        message size in bytes
 * @param arrival     when the message was accepted
 * @param nextAttempt when pending recipients are next tried; written before each attempt, so that
 *                    an attempt cut short by a crash is repeated at this time, not at once
 * @param held        an administrator put the message on hold: no attempt until it is released
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record QueuedMessage(String id, String sender, String envid, String ret, boolean smtputf8, boolean eightBit,
        long size, Instant arrival, Instant nextAttempt, List<RecipientState> recipients, boolean held) {
    public QueuedMessage {
        recipients = List.copyOf(recipients);
    }

    public List<RecipientState> pending() {
        return recipients.stream().filter(r -> r.status() == RecipientState.Status.PENDING).toList();
    }

    public boolean finished() {
        return pending().isEmpty();
    }

    public QueuedMessage(String id, String sender, String envid, String ret, boolean smtputf8, boolean eightBit,
            long size, Instant arrival, Instant nextAttempt, List<RecipientState> recipients) {
        this(id, sender, envid, ret, smtputf8, eightBit, size, arrival, nextAttempt, recipients, false);
    }

    public QueuedMessage withNextAttempt(Instant next) {
        return new QueuedMessage(id, sender, envid, ret, smtputf8, eightBit, size, arrival, next, recipients, held);
    }

    public QueuedMessage withHeld(boolean hold) {
        return new QueuedMessage(id, sender, envid, ret, smtputf8, eightBit, size, arrival, nextAttempt, recipients, hold);
    }

    /** Replaces the state of one recipient (by address and position). */
    public QueuedMessage update(RecipientState old, UnaryOperator<RecipientState> change) {
        List<RecipientState> rs = new ArrayList<>(recipients);
        int i = rs.indexOf(old);
        if (i < 0) {
            throw new IllegalArgumentException("not a recipient of " + id + ": " + old.address());
        }
        rs.set(i, change.apply(old));
        return new QueuedMessage(id, sender, envid, ret, smtputf8, eightBit, size, arrival, nextAttempt, rs, held);
    }
}
