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
    public static void main(String... args) {
        if (BackupCli.isCommand(args)) {
            System.exit(BackupCli.execute(BackupSettings::fromEnvironment, new PrintWriter(System.out, true),
                    new PrintWriter(System.err, true), args));
        }
        Quarkus.run(Service.class, args);
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
