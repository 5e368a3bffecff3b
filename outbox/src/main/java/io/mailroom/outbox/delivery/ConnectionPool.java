package io.mailroom.outbox.delivery;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle SMTP connections kept per destination (host, address, port) for reuse by the next
 * message to the same place, like Postfix's connection cache. A connection is reset (RSET)
 * before reuse and dropped after {@code maxIdleMillis}.
 */
public final class ConnectionPool {
    private final Map<String, Deque<SmtpClient>> idle = new HashMap<>();
    private final long maxIdleNanos;
    private final int maxPerDestination;

    public ConnectionPool(long maxIdleMillis, int maxPerDestination) {
        this.maxIdleNanos = maxIdleMillis * 1_000_000;
        this.maxPerDestination = maxPerDestination;
    }

    /** An idle connection that answered RSET, or null. */
    public SmtpClient take(String key) {
        while (true) {
            SmtpClient c;
            synchronized (this) {
                Deque<SmtpClient> d = idle.get(key);
                c = d == null ? null : d.pollLast();
            }
            if (c == null) {
                return null;
            }
            if (c.idleNanos() < maxIdleNanos && c.reset()) {
                return c;
            }
            c.closeQuietly();
        }
    }

    public void release(String key, SmtpClient c) {
        synchronized (this) {
            Deque<SmtpClient> d = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (d.size() < maxPerDestination) {
                d.addLast(c);
                return;
            }
        }
        c.quit();
    }

    /** Closes connections idle for too long; called periodically. */
    public void expire() {
        java.util.List<SmtpClient> old = new java.util.ArrayList<>();
        synchronized (this) {
            for (Deque<SmtpClient> d : idle.values()) {
                d.removeIf(c -> {
                    if (c.idleNanos() >= maxIdleNanos) {
                        old.add(c);
                        return true;
                    }
                    return false;
                });
            }
        }
        old.forEach(SmtpClient::quit);
    }

    public void closeAll() {
        java.util.List<SmtpClient> all = new java.util.ArrayList<>();
        synchronized (this) {
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(SmtpClient::quit);
    }
}
