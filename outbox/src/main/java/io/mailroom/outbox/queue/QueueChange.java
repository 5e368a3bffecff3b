package io.mailroom.outbox.queue;

import java.util.List;

/**
 * What an administrative operation did.
 *
 * @param changed the ids it was applied to
 * @param busy    ids that matched but were being delivered at that moment and were left alone; the
 *                operation can simply be repeated
 */
public record QueueChange(List<String> changed, List<String> busy) {
    public QueueChange {
        changed = List.copyOf(changed);
        busy = List.copyOf(busy);
    }
}
