package io.mailroom.backup;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.PrintWriter;

/**
 * {@code java -jar quarkus-run.jar} runs the service (scheduled backups, metrics, health);
 * {@code java -jar quarkus-run.jar now|verify|restore ...} runs one command and exits, without
 * starting Quarkus (so it does not collide with a running service's port or schedule).
 */
@QuarkusMain
public class BackupMain {
    /** Held so that the configured logger is not garbage-collected. */
    private static java.util.logging.Logger cliLogger;

    public static void main(String... args) {
        if (BackupCli.isCommand(args)) {
            consoleLogging();
            System.exit(BackupCli.execute(BackupSettings::fromEnvironment, new PrintWriter(System.out, true),
                    new PrintWriter(System.err, true), args));
        }
        Quarkus.run(Service.class, args);
    }

    /** Without Quarkus, progress and summaries of the commands go to stderr as one line each. */
    static void consoleLogging() {
        System.setProperty("org.jboss.logging.provider", "jdk");
        cliLogger = java.util.logging.Logger.getLogger("io.mailroom");
        java.util.logging.StreamHandler handler = new java.util.logging.StreamHandler(System.err,
                new java.util.logging.Formatter() {
                    @Override
                    public String format(java.util.logging.LogRecord r) {
                        return java.time.Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel() + " "
                                + formatMessage(r) + System.lineSeparator();
                    }
                }) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord r) {
                super.publish(r);
                flush();
            }
        };
        cliLogger.addHandler(handler);
        cliLogger.setUseParentHandlers(false);
        cliLogger.setLevel(java.util.logging.Level.INFO);
    }

    /** The long-running service: Quarkus stays up and the scheduler fires {@link BackupService#scheduled()}. */
    public static class Service implements QuarkusApplication {
        @Override
        public int run(String... args) {
            if (BackupCli.isCommand(args)) {
                // only reached when launched through Quarkus directly (dev mode)
                return BackupCli.execute(BackupSettings::fromEnvironment, new PrintWriter(System.out, true),
                        new PrintWriter(System.err, true), args);
            }
            Quarkus.waitForExit();
            return 0;
        }
    }
}
