package io.mailroom.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition instead of sleeping a fixed time: a test that sleeps and then counts passes
 * or fails with the machine's load, one that waits until the state is reached (a queue drained, a
 * count reached) and then checks everything does not.
 */
public final class Await {
    private static final long POLL_MS = 20;

    private Await() {}

    /** Polls until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            pause();
        }
    }

    /** Polls until {@code value} gives a non-null result and returns it. */
    public static <T> T value(String what, Duration timeout, Supplier<T> value) {
        Instant end = Instant.now().plus(timeout);
        T v;
        while ((v = value.get()) == null) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            pause();
        }
        return v;
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
