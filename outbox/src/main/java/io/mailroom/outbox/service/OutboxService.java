package io.mailroom.outbox.service;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.outbox.Outbox;
import io.mailroom.outbox.OutboxSettings;
import io.mailroom.outbox.queue.DeferralReason;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Starts the Outbox with the Quarkus application and publishes its health and metrics. */
@ApplicationScoped
@Readiness
public class OutboxService implements HealthCheck {
    @Inject
    AccountStore store;
    @Inject
    KeyDirectory keys;
    @Inject
    Config config;
    @Inject
    MeterRegistry registry;

    private volatile Outbox outbox;

    void start(@Observes StartupEvent e) throws IOException {
        OutboxSettings s = OutboxSettings.from(config);
        outbox = new Outbox(s, store, keys, DnsjavaResolver.builder().server(s.dnsHost(), s.dnsPort()).build());
        var q = outbox.queue();
        Gauge.builder("outbox_queue_size", q, x -> x.size()).description("messages in the spool").register(registry);
        Gauge.builder("outbox_oldest_message_age_seconds", q, x -> x.oldestAge().toSeconds())
                .description("age of the oldest queued message").register(registry);
        FunctionCounter.builder("outbox_deliveries", q, x -> x.delivered.get()).tag("result", "delivered").register(registry);
        FunctionCounter.builder("outbox_deliveries", q, x -> x.deferred.get()).tag("result", "deferred").register(registry);
        FunctionCounter.builder("outbox_deliveries", q, x -> x.failed.get()).tag("result", "failed").register(registry);
        FunctionCounter.builder("outbox_dsn_sent", q, x -> x.dsnSent.get()).register(registry);
        for (DeferralReason r : DeferralReason.values()) {
            FunctionCounter.builder("outbox_deferrals", q, x -> x.deferrals(r)).tag("reason", r.label())
                    .description("recipients deferred, by the subject of the status code (RFC 3463)").register(registry);
        }
    }

    void stop(@Observes ShutdownEvent e) throws IOException {
        if (outbox != null) {
            outbox.close();
        }
    }

    @Override
    public HealthCheckResponse call() {
        Outbox o = outbox;
        return HealthCheckResponse.named("outbox").status(o != null)
                .withData("queue", o == null ? 0 : o.queue().size()).build();
    }
}
