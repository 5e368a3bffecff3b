package io.mailroom.outbox.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * When each queued message is next due, read from a {@link Clock}. Unlike a {@code DelayQueue},
 * which reads the system time, a test can move the clock and {@link #wake()} the workers, so that
 * a schedule of hours is checked in milliseconds. One entry per message: scheduling again replaces
 * the earlier time.
 */
final class DueList {
    /** Longest sleep: a clock that jumps (NTP, a test) is noticed within this time even without a wake. */
    private static final long MAX_WAIT_MS = 1000;

    private record Due(String id, Instant at, long seq) {}

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Due> heap = new PriorityQueue<>((a, b) -> a.at.compareTo(b.at));
    private final Map<String, Due> current = new HashMap<>();
    private long seq;

    DueList(Clock clock) {
        this.clock = clock;
    }

    void schedule(String id, Instant at) {
        lock.lock();
        try {
            Due d = new Due(id, at, ++seq);
            current.put(id, d);
            heap.add(d);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void cancel(String id) {
        lock.lock();
        try {
            current.remove(id); // its heap entry is now stale and skipped
        } finally {
            lock.unlock();
        }
    }

    /** Makes waiting workers look at the clock again. */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a message is due and returns its id (removed from the list). */
    String take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                Due d = heap.peek();
                if (d != null && current.get(d.id) != d) {
                    heap.poll();
                    continue;
                }
                long wait = d == null ? MAX_WAIT_MS : Duration.between(clock.instant(), d.at).toMillis();
                if (d != null && wait <= 0) {
                    heap.poll();
                    current.remove(d.id);
                    return d.id;
                }
                changed.await(Math.min(wait, MAX_WAIT_MS), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The time a message is due, or null when it is not scheduled (held, or being attempted). */
    Instant dueAt(String id) {
        lock.lock();
        try {
            Due d = current.get(id);
            return d == null ? null : d.at;
        } finally {
            lock.unlock();
        }
    }
}
