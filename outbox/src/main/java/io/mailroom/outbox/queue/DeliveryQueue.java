package io.mailroom.outbox.queue;

import io.mailroom.common.NotFoundException;
import io.mailroom.common.dsn.DsnAction;
import io.mailroom.common.dsn.DsnBuilder;
import io.mailroom.common.dsn.DsnRecipient;
import io.mailroom.common.dsn.DsnReturn;
import io.mailroom.outbox.delivery.DeliveryResult;
import io.mailroom.outbox.delivery.LocalDelivery;
import io.mailroom.outbox.delivery.RemoteDelivery;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * The Outbox's queue: messages in the {@link Spool} waiting for delivery, worked on by a fixed
 * number of virtual-thread workers. Each attempt delivers the pending recipients (local ones
 * over LMTP, remote ones per domain over SMTP) and persists each domain's results at once, so
 * that a crash repeats as little as possible. Temporary failures are retried per the
 * {@link RetrySchedule}; permanent failures, expiry, delays (once) and, when asked, successes
 * produce a DSN to the sender, itself queued durably with the null sender.
 *
 * <p>The schedule survives a restart: the time of the next attempt is written to the spool
 * <em>before</em> an attempt starts (at submission for the first one), so an attempt cut short by
 * a crash is repeated at that time, not at once, and a restart does not send the whole queue to
 * the remote MX hosts in one burst. Time comes from a {@link Clock}, so tests can move it.
 *
 * <p>Delivery is at-least-once: a crash after a peer's 250 and before the state is persisted (the
 * message removed, or its state file renamed; one fsync, a few milliseconds) makes that recipient
 * receive the message again after the restart.
 *
 * <p>Administrators list, hold, release, retry, drop and bounce messages by {@link QueueFilter}; a
 * message being attempted at that moment is left alone and reported as busy.
 */
public final class DeliveryQueue {
    private static final Logger LOG = Logger.getLogger(DeliveryQueue.class);
    /** After an unexpected error (spool unreadable, a bug) the message waits this long. */
    private static final Duration AFTER_ERROR = Duration.ofSeconds(60);

    private final Spool spool;
    private final RetrySchedule schedule;
    private final RemoteDelivery remote;
    private final LocalDelivery local;
    private final String hostname;
    private final int workers;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<String, QueuedMessage> messages = new ConcurrentHashMap<>();
    /** Ids being attempted or changed by an administrator; a worker and an operation never overlap. */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final DueList due;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public final AtomicLong delivered = new AtomicLong();
    public final AtomicLong deferred = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();
    public final AtomicLong dsnSent = new AtomicLong();
    private final Map<DeferralReason, AtomicLong> deferrals = new EnumMap<>(DeferralReason.class);

    public DeliveryQueue(Spool spool, RetrySchedule schedule, RemoteDelivery remote, LocalDelivery local,
            String hostname, int workers) {
        this(spool, schedule, remote, local, hostname, workers, Clock.systemUTC(), new Random());
    }

    /** @param random thread-safe source of the retry jitter */
    public DeliveryQueue(Spool spool, RetrySchedule schedule, RemoteDelivery remote, LocalDelivery local,
            String hostname, int workers, Clock clock, RandomGenerator random) {
        this.spool = spool;
        this.schedule = schedule;
        this.remote = remote;
        this.local = local;
        this.hostname = hostname;
        this.workers = workers;
        this.clock = clock;
        this.random = random;
        this.due = new DueList(clock);
        for (DeferralReason r : DeferralReason.values()) {
            deferrals.put(r, new AtomicLong());
        }
    }

    /** Loads the spool and starts the workers; each recovered message waits for its saved next attempt. */
    public synchronized void start() throws IOException {
        List<QueuedMessage> recovered = spool.recover();
        Instant now = now();
        long waiting = 0;
        for (QueuedMessage m : recovered) {
            messages.put(m.id(), m);
            if (!m.held()) {
                Instant at = m.nextAttempt() == null || m.nextAttempt().isBefore(now) ? now : m.nextAttempt();
                waiting += at.isAfter(now) ? 1 : 0;
                due.schedule(m.id(), at);
            }
        }
        if (!recovered.isEmpty()) {
            LOG.infof("recovered %d queued messages from %s (%d wait for their next attempt)", recovered.size(),
                    spool.dir(), waiting);
        }
        running = true;
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofVirtual().name("delivery-" + i).start(this::work));
        }
    }

    public synchronized void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    /** The queue's time; submissions take their arrival time from it. */
    public Instant now() {
        return clock.instant();
    }

    /** Makes the workers look at the clock again (after a test moved it). */
    public void wake() {
        due.wake();
    }

    /**
     * Spools a message durably and queues it for an attempt now; when this returns the message may
     * be acknowledged. The spooled state already names the attempt after this one, which is when a
     * crash during the first attempt makes it try again.
     */
    public void submit(QueuedMessage m, byte[] message) throws IOException {
        m = m.withNextAttempt(schedule.next(1, now(), random));
        spool.store(m, message);
        messages.put(m.id(), m);
        due.schedule(m.id(), now());
    }

    public int size() {
        return messages.size();
    }

    /** Age of the oldest queued message, zero when empty. */
    public Duration oldestAge() {
        Instant now = now();
        return messages.values().stream().map(QueuedMessage::arrival).min(Instant::compareTo)
                .map(a -> Duration.between(a, now)).orElse(Duration.ZERO);
    }

    /** When the workers will next take up a message; null while it is held or being attempted. */
    public Instant scheduledAt(String id) {
        return due.dueAt(id);
    }

    /** Recipients deferred so far, by reason. */
    public long deferrals(DeferralReason reason) {
        return deferrals.get(reason).get();
    }

    private void work() {
        while (running) {
            String id;
            try {
                id = due.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!busy.add(id)) {
                continue; // an administrator is changing it and schedules it again if needed
            }
            try {
                QueuedMessage m = messages.get(id);
                if (m != null && !m.held()) {
                    attempt(m);
                }
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.errorf(e, "delivery attempt of %s failed", id);
                due.schedule(id, now().plus(AFTER_ERROR));
            } finally {
                busy.remove(id);
            }
        }
    }

    private void attempt(QueuedMessage m) throws IOException {
        Instant start = now();
        int attempt = m.pending().stream().mapToInt(RecipientState::attempts).max().orElse(0) + 1;
        if (m.nextAttempt() == null || !m.nextAttempt().isAfter(start)) {
            // the saved time must lie beyond this attempt before it starts (mox does the same)
            m = m.withNextAttempt(schedule.next(attempt, start, random));
            spool.save(m);
            messages.put(m.id(), m);
        }
        byte[] message = spool.message(m.id());
        List<RecipientState> localRcpts = new ArrayList<>();
        Map<String, List<RecipientState>> remoteByDomain = new LinkedHashMap<>();
        for (RecipientState r : m.pending()) {
            if (local.isLocal(r.domain())) {
                localRcpts.add(r);
            } else {
                remoteByDomain.computeIfAbsent(r.domain(), k -> new ArrayList<>()).add(r);
            }
        }
        List<DsnRecipient> failures = new ArrayList<>();
        List<DsnRecipient> successes = new ArrayList<>();
        int groups = remoteByDomain.size() + (localRcpts.isEmpty() ? 0 : 1);
        if (!localRcpts.isEmpty()) {
            m = apply(m, localRcpts, local.deliver(m.sender(), localRcpts, message), failures, successes, --groups > 0);
        }
        for (var e : remoteByDomain.entrySet()) {
            m = apply(m, e.getValue(), remote.deliver(m, message, e.getKey(), e.getValue()), failures, successes, --groups > 0);
        }
        Instant now = now();
        List<DsnRecipient> delays = new ArrayList<>();
        boolean expired = now.isAfter(m.arrival().plus(schedule.maxAge()));
        boolean warn = now.isAfter(m.arrival().plus(schedule.delayWarning()));
        for (RecipientState r : m.pending()) {
            if (expired) {
                m = m.update(r, x -> x.givenUp(now, "expired", x.lastReply()));
                failed.incrementAndGet();
                if (r.wants("FAILURE")) {
                    failures.add(new DsnRecipient(r.orcpt(), r.address(), DsnAction.FAILED, "4.4.7",
                            r.lastReply(), mtaName(r.remoteMta()), now, null));
                }
            } else if (warn && !r.delayNotified() && r.wants("DELAY")) {
                m = m.update(r, RecipientState::withDelayNotified);
                delays.add(DsnRecipient.delayed(r.orcpt(), r.address(), "4.0.0", r.lastReply(), mtaName(r.remoteMta()),
                        m.arrival().plus(schedule.maxAge())));
            }
        }
        // the DSNs are spooled before the state that records them, so a crash duplicates rather than loses them
        notifySender(m, failures, message);
        notifySender(m, delays, message);
        notifySender(m, successes, message);
        if (m.finished()) {
            spool.remove(m.id());
            messages.remove(m.id());
            return;
        }
        if (!m.nextAttempt().isAfter(now)) {
            // the attempt outlasted its interval (slow peers): wait a whole interval from now
            m = m.withNextAttempt(schedule.next(attempt, now, random));
        }
        spool.save(m);
        messages.put(m.id(), m);
        due.schedule(m.id(), m.nextAttempt());
    }

    /**
     * Records one destination's results. With more destinations to go in this attempt the state is
     * persisted at once, so a crash does not repeat what was already accepted; after the last one
     * the caller either removes the message or persists once.
     */
    private QueuedMessage apply(QueuedMessage m, List<RecipientState> rcpts, List<DeliveryResult> results,
            List<DsnRecipient> failures, List<DsnRecipient> successes, boolean moreToGo) throws IOException {
        Instant at = now();
        for (int i = 0; i < rcpts.size(); i++) {
            RecipientState r = rcpts.get(i);
            DeliveryResult res = results.get(i);
            switch (res.outcome()) {
                case DELIVERED -> {
                    m = m.update(r, x -> x.delivered(at, res.reply(), res.remoteMta()));
                    delivered.incrementAndGet();
                    if (r.wants("SUCCESS")) {
                        successes.add(DsnRecipient.delivered(r.orcpt(), r.address(), res.reply(), mtaName(res.remoteMta())));
                    }
                }
                case FAILED -> {
                    m = m.update(r, x -> x.failed(at, res.reply(), res.remoteMta()));
                    failed.incrementAndGet();
                    LOG.infof("%s to <%s> failed: %s", m.id(), r.address(), res.reply());
                    if (r.wants("FAILURE")) {
                        failures.add(DsnRecipient.failed(r.orcpt(), r.address(), res.status(), res.reply(), mtaName(res.remoteMta())));
                    }
                }
                case DEFERRED -> {
                    m = m.update(r, x -> x.deferred(at, res.reply(), res.remoteMta()));
                    deferred.incrementAndGet();
                    deferrals.get(DeferralReason.of(res.status())).incrementAndGet();
                    LOG.debugf("%s to <%s> deferred: %s", m.id(), r.address(), res.reply());
                }
            }
        }
        if (moreToGo) {
            spool.save(m);
        }
        messages.put(m.id(), m);
        return m;
    }

    // ---------------------------------------------------------------- administration

    /** The queued messages the filter selects, oldest first. */
    public List<QueuedMessage> list(QueueFilter filter) {
        Instant now = now();
        return messages.values().stream().filter(m -> filter.matches(m, now))
                .sorted(Comparator.comparing(QueuedMessage::arrival).thenComparing(QueuedMessage::id)).toList();
    }

    public QueuedMessage get(String id) {
        QueuedMessage m = messages.get(id);
        if (m == null) {
            throw new NotFoundException("no queued message " + id);
        }
        return m;
    }

    /** No attempt until released (the state is saved, so a hold survives a restart). */
    public QueueChange hold(QueueFilter f) throws IOException {
        return change(f, m -> {
            due.cancel(m.id());
            save(m.withHeld(true));
            return null;
        });
    }

    /** Ends a hold; the message goes on with its schedule (at once when its time has passed). */
    public QueueChange release(QueueFilter f) throws IOException {
        return change(f, m -> {
            QueuedMessage r = save(m.withHeld(false));
            return r.nextAttempt() == null || r.nextAttempt().isBefore(now()) ? now() : r.nextAttempt();
        });
    }

    /** Releases and tries at once (mox: NextAttemptSet to now). */
    public QueueChange retry(QueueFilter f) throws IOException {
        return change(f, m -> {
            if (m.held()) {
                save(m.withHeld(false));
            }
            return now();
        });
    }

    /** Removes messages without telling the sender (for spam that got out, or mail that must not go). */
    public QueueChange drop(QueueFilter f) throws IOException {
        return change(f, m -> {
            due.cancel(m.id());
            spool.remove(m.id());
            messages.remove(m.id());
            LOG.infof("%s dropped by an administrator", m.id());
            return null;
        });
    }

    /**
     * Gives up on the pending recipients now, with a failure DSN to the sender as for any permanent
     * failure (RFC 3464; status 5.0.0, as no more specific code of RFC 3463 says "cancelled").
     */
    public QueueChange bounce(QueueFilter f) throws IOException {
        return change(f, m -> {
            due.cancel(m.id());
            Instant now = now();
            List<DsnRecipient> failures = new ArrayList<>();
            QueuedMessage b = m;
            for (RecipientState r : m.pending()) {
                b = b.update(r, x -> x.givenUp(now, "bounced", "delivery cancelled by the queue administrator"));
                failed.incrementAndGet();
                if (r.wants("FAILURE")) {
                    failures.add(new DsnRecipient(r.orcpt(), r.address(), DsnAction.FAILED, "5.0.0",
                            r.lastReply() == null ? "delivery cancelled by the queue administrator" : r.lastReply(),
                            mtaName(r.remoteMta()), now, null));
                }
            }
            notifySender(b, failures, spool.message(m.id()));
            spool.remove(m.id());
            messages.remove(m.id());
            LOG.infof("%s bounced by an administrator", m.id());
            return null;
        });
    }

    private interface Change {
        /** Changes the message; returns when it is next due, or null when it is not to be scheduled. */
        Instant apply(QueuedMessage m) throws IOException;
    }

    /**
     * Applies an operation to each selected message that no worker holds at the moment. The
     * message is scheduled only once the operation let go of it: a worker woken earlier would find
     * it busy and pass it by.
     */
    private QueueChange change(QueueFilter f, Change op) throws IOException {
        if (f.isEmpty()) {
            throw new io.mailroom.common.InvalidInputException("select messages by id or by a filter");
        }
        List<String> changed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (QueuedMessage listed : list(f)) {
            if (!busy.add(listed.id())) {
                skipped.add(listed.id());
                continue;
            }
            Instant next = null;
            try {
                QueuedMessage m = messages.get(listed.id());
                if (m != null) {
                    next = op.apply(m);
                    changed.add(m.id());
                }
            } catch (IOException | RuntimeException e) {
                next = messages.containsKey(listed.id()) && !messages.get(listed.id()).held() ? now() : null;
                throw e;
            } finally {
                busy.remove(listed.id());
                if (next != null) {
                    due.schedule(listed.id(), next);
                }
            }
        }
        return new QueueChange(changed, skipped);
    }

    private QueuedMessage save(QueuedMessage m) throws IOException {
        spool.save(m);
        messages.put(m.id(), m);
        return m;
    }

    private void notifySender(QueuedMessage m, List<DsnRecipient> rs, byte[] message) throws IOException {
        if (rs.isEmpty() || m.sender().isEmpty()) {
            return; // never a DSN about a DSN (RFC 3461 §6.2)
        }
        byte[] dsn = new DsnBuilder(hostname).to(m.sender()).envelopeId(m.envid()).arrivalDate(m.arrival())
                .returnContent(DsnReturn.parse(m.ret())).originalMessage(message).recipients(rs).build();
        QueuedMessage n = new QueuedMessage(Spool.newId(), "", null, null, false, hasEightBit(dsn), dsn.length,
                now(), null, List.of(RecipientState.pending(m.sender(), null, "NEVER")));
        submit(n, dsn);
        dsnSent.incrementAndGet();
    }

    private static String mtaName(String mta) {
        return mta == null || mta.startsWith("lmtp:") ? null : mta;
    }

    /** True when the message has a byte outside US-ASCII (it needs 8BITMIME or SMTPUTF8 from the peer). */
    public static boolean hasEightBit(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return true;
            }
        }
        return false;
    }
}
