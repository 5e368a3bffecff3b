package io.mailroom.outbox.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * When to retry after a temporary failure: the n-th retry waits the n-th interval of the list, the
 * last interval repeats (default {@code 1m,5m,15m,30m,1h,2h,4h}); give up after {@code maxAge}
 * (default 5 days, RFC 5321 §4.5.4.1 suggests 4-5 days); warn the sender after {@code delayWarning}.
 */
public record RetrySchedule(List<Duration> intervals, Duration maxAge, Duration delayWarning) {
    public RetrySchedule {
        if (intervals.isEmpty()) {
            throw new IllegalArgumentException("retry schedule is empty");
        }
        intervals = List.copyOf(intervals);
    }

    public Duration after(int attempts) {
        return intervals.get(Math.max(0, Math.min(attempts - 1, intervals.size() - 1)));
    }

    /**
     * When to try again if the {@code attempt}-th attempt, starting at {@code now}, fails: the
     * interval plus a random 0 to 10 % of it, so that messages deferred together (a peer down, a
     * restart) do not all come back in the same second.
     */
    public Instant next(int attempt, Instant now, RandomGenerator random) {
        long ms = after(attempt).toMillis();
        long jitter = ms / 10 <= 0 ? 0 : random.nextLong(ms / 10 + 1);
        return now.plusMillis(ms + jitter);
    }

    /** Parses {@code 1m,5m,1h} (units ms, s, m, h, d) or ISO-8601 durations. */
    public static List<Duration> parseList(String spec) {
        List<Duration> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            if (!s.isBlank()) {
                out.add(parse(s.trim()));
            }
        }
        return out;
    }

    public static Duration parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("bad duration " + s);
        };
    }
}
