package io.mailroom.inbox;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every Inbox transaction shares: settings, the account store, the checks, Rspamd, the
 * delivery ledger and metrics. Plain objects, so tests can run the Inbox without CDI.
 */
public final class InboxPipeline {
    private final InboxSettings settings;
    private final AccountStore accounts;
    private final DeliveryLedger ledger;
    private final MailAuthentication auth;
    private final RspamdClient rspamd;
    private final InboxMetrics metrics;
    private final SuccessNotices successNotices = new SuccessNotices(this);
    private final io.mailroom.mailauth.arc.TrustedSealers arcSealers;
    private ConnectionChecks connectionChecks;
    private ReportIntake reportIntake;
    private final AtomicLong counter = new AtomicLong(ThreadLocalRandom.current().nextInt(1 << 20));

    public InboxPipeline(InboxSettings settings, AccountStore accounts, DeliveryLedger ledger, MailAuthentication auth,
            InboxMetrics metrics) {
        this.settings = Objects.requireNonNull(settings);
        this.accounts = Objects.requireNonNull(accounts);
        this.ledger = Objects.requireNonNull(ledger);
        this.auth = auth;
        this.metrics = metrics == null ? InboxMetrics.NONE : metrics;
        this.arcSealers = io.mailroom.mailauth.arc.TrustedSealers.of(settings.arcTrustedSealers());
        this.rspamd = settings.rspamd().enabled()
                ? new RspamdClient(settings.rspamdHost(), settings.rspamdPort(), settings.rspamdTimeout()) : null;
        boolean anyAuth = settings.spf().enabled() || settings.dkim().enabled() || settings.arc().enabled()
                || settings.dmarc().enabled();
        if (anyAuth && auth == null) {
            throw new IllegalArgumentException("authentication checks enabled but no MailAuthentication given");
        }
    }

    /** Adds the connection checks (DNSBL, reverse DNS); needed when either policy is not off. */
    public InboxPipeline connectionChecks(ConnectionChecks checks) {
        this.connectionChecks = checks;
        return this;
    }

    /** Adds the reading of DMARC and TLS reports that arrive at a domain's report address. */
    public InboxPipeline reportIntake(ReportIntake intake) {
        this.reportIntake = intake;
        return this;
    }

    ReportIntake reportIntake() { return reportIntake; }
    ConnectionChecks connectionChecks() { return connectionChecks; }
    InboxSettings settings() { return settings; }
    AccountStore accounts() { return accounts; }
    DeliveryLedger ledger() { return ledger; }
    MailAuthentication auth() { return auth; }
    RspamdClient rspamd() { return rspamd; }
    InboxMetrics metrics() { return metrics; }
    SuccessNotices successNotices() { return successNotices; }
    io.mailroom.mailauth.arc.TrustedSealers arcSealers() { return arcSealers; }

    /** A short unique id for Received headers, logs and Rspamd's Queue-Id. */
    String nextQueueId() {
        return Long.toString(System.currentTimeMillis(), 36).toUpperCase() + Long.toString(counter.incrementAndGet(), 36).toUpperCase();
    }

    /** RFC 8601 §5: an Authentication-Results field from outside that uses our authserv-id is a forgery. */
    boolean claimsOurAuthservId(String value) {
        return claimsAuthservId(value, settings.authservId());
    }

    /**
     * mailauth's test (RFC 8601 §2.2: the id may be a quoted-string; comments may nest), which also
     * catches fields whose rest does not parse — a second, simpler copy here missed those.
     */
    static boolean claimsAuthservId(String value, String authservId) {
        return io.mailroom.mailauth.authresults.AuthenticationResults.claims(
                new io.mailroom.mailauth.message.HeaderField("Authentication-Results", "Authentication-Results:" + value),
                authservId);
    }
}
