package io.mailroom.outbox.queue;

import io.mailroom.common.dsn.DsnBuilder;
import io.mailroom.common.dsn.DsnRecipient;
import io.mailroom.common.dsn.DsnReturn;
import io.mailroom.outbox.delivery.DeliveryResult;
import io.mailroom.outbox.delivery.LocalDelivery;
import io.mailroom.outbox.delivery.RemoteDelivery;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The Outbox's queue: messages in the {@link Spool} waiting for delivery, worked on by a fixed
 * number of virtual-thread workers. Each attempt delivers the pending recipients (local ones
 * over LMTP, remote ones per domain over SMTP) and persists each domain's results at once, so
 * that a crash repeats as little as possible. Temporary failures are retried per the
 * {@link RetrySchedule}; permanent failures, expiry, delays (once) and, when asked, successes
 * produce a DSN to the sender, itself queued durably with the null sender.
 *
 * <p>Delivery is at-least-once: a crash after a peer's 250 and before the state is persisted (the
 * message removed, or its state file renamed; one fsync, a few milliseconds) makes that recipient
 * receive the message again after the restart.
 */
public final class DeliveryQueue {
    private static final Logger LOG = Logger.getLogger(DeliveryQueue.class);

    private final Spool spool;
    private final RetrySchedule schedule;
    private final RemoteDelivery remote;
    private final LocalDelivery local;
    private final String hostname;
    private final int workers;
    private final Map<String, QueuedMessage> messages = new ConcurrentHashMap<>();
    private final DelayQueue<Due> due = new DelayQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public final AtomicLong delivered = new AtomicLong();
    public final AtomicLong deferred = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();
    public final AtomicLong dsnSent = new AtomicLong();

    public DeliveryQueue(Spool spool, RetrySchedule schedule, RemoteDelivery remote, LocalDelivery local,
            String hostname, int workers) {
        this.spool = spool;
        this.schedule = schedule;
        this.remote = remote;
        this.local = local;
        this.hostname = hostname;
        this.workers = workers;
    }

    /** Loads the spool and starts the workers; recovered messages are tried again right away. */
    public synchronized void start() throws IOException {
        List<QueuedMessage> recovered = spool.recover();
        for (QueuedMessage m : recovered) {
            messages.put(m.id(), m);
            due.add(new Due(m.id(), Instant.now()));
        }
        if (!recovered.isEmpty()) {
            LOG.infof("recovered %d queued messages from %s", recovered.size(), spool.dir());
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

    /** Spools a message durably and queues it; when this returns the message may be acknowledged. */
    public void submit(QueuedMessage m, byte[] message) throws IOException {
        spool.store(m, message);
        messages.put(m.id(), m);
        due.add(new Due(m.id(), Instant.now()));
    }

    public int size() {
        return messages.size();
    }

    /** Age of the oldest queued message, zero when empty. */
    public Duration oldestAge() {
        Instant now = Instant.now();
        return messages.values().stream().map(QueuedMessage::arrival).min(Instant::compareTo)
                .map(a -> Duration.between(a, now)).orElse(Duration.ZERO);
    }

    private void work() {
        while (running) {
            Due d;
            try {
                d = due.take();
            } catch (InterruptedException e) {
                return;
            }
            QueuedMessage m = messages.get(d.id);
            if (m == null) {
                continue;
            }
            try {
                attempt(m);
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.errorf(e, "delivery attempt of %s failed", m.id());
                due.add(new Due(m.id(), Instant.now().plusSeconds(60)));
            }
        }
    }

    private void attempt(QueuedMessage m) throws IOException {
        byte[] message = spool.message(m.id());
        List<RecipientState> pending = m.pending();
        List<RecipientState> localRcpts = new ArrayList<>();
        Map<String, List<RecipientState>> remoteByDomain = new LinkedHashMap<>();
        for (RecipientState r : pending) {
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
        Instant now = Instant.now();
        List<DsnRecipient> delays = new ArrayList<>();
        boolean expired = now.isAfter(m.arrival().plus(schedule.maxAge()));
        boolean warn = now.isAfter(m.arrival().plus(schedule.delayWarning()));
        for (RecipientState r : m.pending()) {
            if (expired) {
                m = m.update(r, x -> x.failed(x.lastReply(), x.remoteMta()));
                failed.incrementAndGet();
                if (r.wants("FAILURE")) {
                    failures.add(new DsnRecipient(r.orcpt(), r.address(), io.mailroom.common.dsn.DsnAction.FAILED, "4.4.7",
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
        int attempts = m.pending().stream().mapToInt(RecipientState::attempts).max().orElse(1);
        Instant next = now.plus(schedule.after(attempts));
        m = m.withNextAttempt(next);
        spool.save(m);
        messages.put(m.id(), m);
        due.add(new Due(m.id(), next));
    }

    /**
     * Records one destination's results. With more destinations to go in this attempt the state is
     * persisted at once, so a crash does not repeat what was already accepted; after the last one
     * the caller either removes the message or persists once.
     */
    private QueuedMessage apply(QueuedMessage m, List<RecipientState> rcpts, List<DeliveryResult> results,
            List<DsnRecipient> failures, List<DsnRecipient> successes, boolean moreToGo) throws IOException {
        for (int i = 0; i < rcpts.size(); i++) {
            RecipientState r = rcpts.get(i);
            DeliveryResult res = results.get(i);
            switch (res.outcome()) {
                case DELIVERED -> {
                    m = m.update(r, x -> x.delivered(res.reply(), res.remoteMta()));
                    delivered.incrementAndGet();
                    if (r.wants("SUCCESS")) {
                        successes.add(DsnRecipient.delivered(r.orcpt(), r.address(), res.reply(), mtaName(res.remoteMta())));
                    }
                }
                case FAILED -> {
                    m = m.update(r, x -> x.failed(res.reply(), res.remoteMta()));
                    failed.incrementAndGet();
                    LOG.infof("%s to <%s> failed: %s", m.id(), r.address(), res.reply());
                    if (r.wants("FAILURE")) {
                        failures.add(DsnRecipient.failed(r.orcpt(), r.address(), res.status(), res.reply(), mtaName(res.remoteMta())));
                    }
                }
                case DEFERRED -> {
                    m = m.update(r, x -> x.deferred(res.reply(), res.remoteMta()));
                    deferred.incrementAndGet();
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

    private void notifySender(QueuedMessage m, List<DsnRecipient> rs, byte[] message) throws IOException {
        if (rs.isEmpty() || m.sender().isEmpty()) {
            return; // never a DSN about a DSN (RFC 3461 §6.2)
        }
        byte[] dsn = new DsnBuilder(hostname).to(m.sender()).envelopeId(m.envid()).arrivalDate(m.arrival())
                .returnContent(DsnReturn.parse(m.ret())).originalMessage(message).recipients(rs).build();
        QueuedMessage n = new QueuedMessage(Spool.newId(), "", null, null, false, hasEightBit(dsn), dsn.length,
                Instant.now(), Instant.now(), List.of(RecipientState.pending(m.sender(), null, "NEVER")));
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

    private record Due(String id, Instant at) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(Instant.now(), at));
        }

        @Override
        public int compareTo(Delayed o) {
            return at.compareTo(((Due) o).at);
        }
    }
}
