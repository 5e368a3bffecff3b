package io.mailroom.outbox.submission;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Per-user sending rate: at most {@code maxMessages} accepted messages per {@code windowMillis}. */
public final class SendLimits {
    private final int maxMessages;
    private final long windowMillis;
    private final Map<String, Deque<Long>> sent = new HashMap<>();

    public SendLimits(int maxMessages, long windowMillis) {
        this.maxMessages = maxMessages;
        this.windowMillis = windowMillis;
    }

    /** True when the user may send another message now. */
    public synchronized boolean allowed(String user) {
        Deque<Long> d = sent.get(user);
        if (d == null) {
            return true;
        }
        long now = System.currentTimeMillis();
        while (!d.isEmpty() && d.peekFirst() < now - windowMillis) {
            d.pollFirst();
        }
        return d.size() < maxMessages;
    }

    public synchronized void record(String user) {
        sent.computeIfAbsent(user, k -> new ArrayDeque<>()).addLast(System.currentTimeMillis());
    }
}
