package io.mailroom.outbox.admin;

import io.mailroom.outbox.queue.QueuedMessage;
import io.mailroom.outbox.queue.RecipientState;
import java.time.Instant;
import java.util.List;

/** One line of {@code queue list}: the envelope and where each recipient stands, without the history. */
public record QueueSummary(String id, String sender, Instant arrival, Instant nextAttempt, boolean held, long size,
        List<Rcpt> recipients) {
    public record Rcpt(String address, RecipientState.Status status, int attempts, String lastReply) {}

    public static QueueSummary of(QueuedMessage m) {
        return new QueueSummary(m.id(), m.sender(), m.arrival(), m.nextAttempt(), m.held(), m.size(),
                m.recipients().stream().map(r -> new Rcpt(r.address(), r.status(), r.attempts(), r.lastReply())).toList());
    }
}
