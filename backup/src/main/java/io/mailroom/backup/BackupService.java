package io.mailroom.backup;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The scheduled backup ({@code mailroom.backup.schedule}, a Quartz cron expression; {@code off}
 * disables it) and its metrics: {@code mailroom_backup_last_success_timestamp_seconds},
 * {@code mailroom_backup_last_failure_timestamp_seconds}, {@code mailroom_backup_last_size_bytes},
 * {@code mailroom_backup_last_messages}, {@code mailroom_backup_last_duration_seconds}.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // the gauges exist from the start, not from the first scheduled run
public class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);

    private final AtomicLong lastSuccess = new AtomicLong();
    private final AtomicLong lastFailure = new AtomicLong();
    private final AtomicLong lastSize = new AtomicLong();
    private final AtomicLong lastMessages = new AtomicLong();
    private final AtomicLong lastDurationMillis = new AtomicLong();

    @Inject
    AccountStore store;

    @Inject
    KeyDirectory keys;

    @Inject
    MeterRegistry registry;

    @jakarta.annotation.PostConstruct
    void metrics() {
        Gauge.builder("mailroom.backup.last.success.timestamp.seconds", lastSuccess, AtomicLong::doubleValue)
                .description("End of the last backup that was written (and uploaded, if configured), Unix time")
                .register(registry);
        Gauge.builder("mailroom.backup.last.failure.timestamp.seconds", lastFailure, AtomicLong::doubleValue)
                .description("End of the last failed backup, Unix time").register(registry);
        Gauge.builder("mailroom.backup.last.size.bytes", lastSize, AtomicLong::doubleValue)
                .description("Size of the last archive written").register(registry);
        Gauge.builder("mailroom.backup.last.messages", lastMessages, AtomicLong::doubleValue)
                .description("Messages in the last archive written").register(registry);
        Gauge.builder("mailroom.backup.last.duration.seconds", lastDurationMillis, v -> v.get() / 1000.0)
                .description("Duration of the last backup run").register(registry);
        try {
            new BackupJob(settings(), store, keys).checkConfiguration();
        } catch (RuntimeException e) {
            // the service still starts (metrics, health), but say now what the first run will say
            LOG.errorf("backups will fail until the configuration is fixed: %s", e.getMessage());
        }
    }

    private static BackupSettings settings() {
        return BackupSettings.from(k -> ConfigProvider.getConfig().getOptionalValue(k, String.class));
    }

    @Scheduled(identity = "mailroom-backup", cron = "{mailroom.backup.schedule}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        runNow();
    }

    /** Runs one backup now; failures are logged and counted, never thrown to the scheduler. */
    public synchronized BackupJob.Report runNow() {
        long start = System.currentTimeMillis();
        try {
            BackupJob.Report r = new BackupJob(settings(), store, keys).run();
            lastSize.set(r.bytes());
            lastMessages.set(r.manifest().counts().messages());
            lastDurationMillis.set(System.currentTimeMillis() - start);
            if (r.succeeded()) {
                lastSuccess.set(System.currentTimeMillis() / 1000);
            } else {
                lastFailure.set(System.currentTimeMillis() / 1000);
            }
            return r;
        } catch (RuntimeException e) {
            lastFailure.set(System.currentTimeMillis() / 1000);
            lastDurationMillis.set(System.currentTimeMillis() - start);
            LOG.errorf("backup failed: %s", e instanceof io.mailroom.common.MailRoomException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + OpenPgpEnvelope.describe(e));
            return null;
        }
    }

    public long lastSuccessEpochSeconds() {
        return lastSuccess.get();
    }
}
