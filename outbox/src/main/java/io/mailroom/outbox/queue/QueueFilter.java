package io.mailroom.outbox.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Which queued messages an administrator means (after mox's {@code queue.Filter}): every given
 * criterion must hold, an absent one (null, empty) matches everything.
 *
 * @param ids       spool ids
 * @param sender    part of the envelope sender, case-insensitive ({@code @example.com}, {@code alice@})
 * @param domain    the domain of a recipient still pending
 * @param olderThan queued for at least this long
 * @param newerThan queued for less than this long
 * @param held      on hold (true) or not (false)
 */
public record QueueFilter(List<String> ids, String sender, String domain, Duration olderThan, Duration newerThan,
        Boolean held) {
    public QueueFilter {
        ids = ids == null ? List.of() : List.copyOf(ids);
        sender = blankToNull(sender);
        domain = blankToNull(domain);
    }

    public static QueueFilter all() {
        return new QueueFilter(List.of(), null, null, null, null, null);
    }

    /** True when nothing is asked, i.e. the filter selects the whole queue. */
    public boolean isEmpty() {
        return ids.isEmpty() && sender == null && domain == null && olderThan == null && newerThan == null
                && held == null;
    }

    public boolean matches(QueuedMessage m, Instant now) {
        if (!ids.isEmpty() && !ids.contains(m.id())) {
            return false;
        }
        if (sender != null && !m.sender().toLowerCase(Locale.ROOT).contains(sender.toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (domain != null && m.pending().stream().noneMatch(r -> r.domain().equalsIgnoreCase(domain))) {
            return false;
        }
        Duration age = Duration.between(m.arrival(), now);
        if (olderThan != null && age.compareTo(olderThan) < 0) {
            return false;
        }
        if (newerThan != null && age.compareTo(newerThan) >= 0) {
            return false;
        }
        return held == null || held == m.held();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
