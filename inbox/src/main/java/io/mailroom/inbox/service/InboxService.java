package io.mailroom.inbox.service;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.ClientReputationCache;
import io.mailroom.common.store.ReceivedReports;
import io.mailroom.inbox.ConnectionChecks;
import io.mailroom.inbox.InboxMetrics;
import io.mailroom.inbox.InboxPipeline;
import io.mailroom.inbox.InboxServer;
import io.mailroom.inbox.InboxSettings;
import io.mailroom.inbox.MailAuthentication;
import io.mailroom.inbox.ReportIntake;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Starts the Inbox's SMTP listener with the Quarkus application; readiness is "the listener
 * accepts connections"; Prometheus counters {@code inbox_messages_total{result}} and
 * {@code inbox_checks_total{check,result}}.
 */
@ApplicationScoped
@Readiness
public class InboxService implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(InboxService.class);

    @Inject
    AccountStore store;
    @Inject
    RedisDataSource redis;
    @Inject
    Config config;
    @Inject
    MeterRegistry registry;

    private volatile InboxServer server;

    void start(@Observes StartupEvent e) {
        InboxSettings s = InboxConfig.from(config);
        DnsjavaResolver dns = DnsjavaResolver.builder()
                .server(config.getOptionalValue("mailroom.dns.host", String.class).orElse("127.0.0.1"),
                        config.getOptionalValue("mailroom.dns.port", Integer.class).orElse(53))
                .timeout(Duration.ofSeconds(5)).build();
        MailAuthentication auth = new MailAuthentication(dns, s.smtp().hostName(), InboxConfig.dmarcVersion(config));
        InboxMetrics metrics = new InboxMetrics() {
            @Override
            public void message(String result) {
                Counter.builder("inbox_messages").tag("result", result).register(registry).increment();
            }

            @Override
            public void check(String check, String result) {
                Counter.builder("inbox_checks").tag("check", check).tag("result", result).register(registry).increment();
            }
        };
        DeliveryLedger ledger = new DeliveryLedger(redis, InboxConfig.duration(config, "mailroom.inbox.ledger-ttl", "5d"));
        InboxPipeline pipeline = new InboxPipeline(s, store, ledger, auth, metrics)
                .reportIntake(new ReportIntake(new ReceivedReports(redis)));
        if (s.dnsbl().enabled() || s.rdns().enabled()) {
            pipeline.connectionChecks(new ConnectionChecks(dns, new ClientReputationCache(redis,
                    InboxConfig.duration(config, "mailroom.inbox.reputation-ttl", "1h")), s.dnsblZones(), s.dnsbl(), s.rdns(), metrics));
        }
        server = new InboxServer(pipeline).start();
        LOG.infof("Inbox listening on %s:%d (TLS %s; spf=%s dkim=%s arc=%s dmarc=%s (%s) rspamd=%s)",
                s.smtp().bindAddress() == null ? "*" : s.smtp().bindAddress().getHostAddress(), server.port(),
                s.smtp().tlsEnabled() ? "on" : "off", s.spf(), s.dkim(), s.arc(), s.dmarc(), InboxConfig.dmarcVersion(config).keyword(),
                s.rspamd());
    }

    void stop(@Observes ShutdownEvent e) {
        if (server != null) {
            server.close();
        }
    }

    /** The listening port (tests start on port 0). */
    public int port() {
        return server == null ? -1 : server.port();
    }

    @Override
    public HealthCheckResponse call() {
        InboxServer s = server;
        return HealthCheckResponse.named("inbox-smtp").status(s != null && s.isRunning())
                .withData("port", s == null ? -1 : s.port()).build();
    }
}
