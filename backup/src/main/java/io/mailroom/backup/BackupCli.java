package io.mailroom.backup;

import io.mailroom.common.MailRoomException;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The one-shot command line: {@code backup now}, {@code backup verify <archive>},
 * {@code backup restore <archive> [--merge] [--overwrite-accounts]}. It runs without starting
 * the service (no HTTP port, no scheduler), configured like the service through
 * {@code MAILROOM_*} environment variables or {@code -Dmailroom....} system properties.
 */
public final class BackupCli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int UPLOAD_FAILED = 3;

    private BackupCli() {}

    public static boolean isCommand(String... args) {
        return args.length > 0 && !args[0].equals("serve");
    }

    public static int execute(Function<String, Optional<String>> config, PrintWriter out, PrintWriter err,
            String... args) {
        Context ctx = new Context(config, out);
        CommandLine cl = new CommandLine(new Root())
                .addSubcommand("now", new Now(ctx))
                .addSubcommand("verify", new Verify(ctx))
                .addSubcommand("restore", new Restore(ctx));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof MailRoomException) {
                err.println("error: " + e.getMessage());
            } else {
                err.println("error: " + e.getClass().getSimpleName() + ": " + OpenPgpEnvelope.describe(e));
            }
            err.flush();
            return FAILED;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, version = "Mail Room backup",
            description = "Backups of mailboxes, accounts and keys. Without a command: run the scheduled service.")
    static final class Root implements Callable<Integer> {
        @Override
        public Integer call() {
            return USAGE;
        }
    }

    /** Settings and connections, opened on first use and closed after the command. */
    static final class Context {
        final Function<String, Optional<String>> config;
        final PrintWriter out;

        Context(Function<String, Optional<String>> config, PrintWriter out) {
            this.config = config;
            this.out = out;
        }

        <T> T withJob(Function<BackupJob, T> action) {
            BackupSettings s = BackupSettings.from(config);
            try (RedisConnections redis = RedisConnections.open(s.redisUri())) {
                AccountStore store = new AccountStore(redis.dataSource(), StoreSettings.defaults(s.mailRoot()));
                return action.apply(new BackupJob(s, store, new KeyDirectory(s.keyDir())));
            }
        }
    }

    @Command(name = "now", description = "Write a backup now (and upload it and apply retention as configured).")
    static final class Now implements Callable<Integer> {
        private final Context ctx;

        @Option(names = "--target", description = "Directory to write to instead of mailroom.backup.dir")
        Path target;

        Now(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            Function<String, Optional<String>> config = target == null ? ctx.config
                    : k -> k.equals("mailroom.backup.dir") ? Optional.of(target.toString()) : ctx.config.apply(k);
            BackupJob.Report r = new Context(config, ctx.out).withJob(BackupJob::run);
            Manifest.Counts c = r.manifest().counts();
            ctx.out.printf("%s: %d bytes, %d messages in %d mailboxes, %d users, %d aliases, %d domains, %d key files, %d ms%n",
                    r.archive(), r.bytes(), c.messages(), c.mailboxes(), c.users(), c.aliases(), c.domains(),
                    c.keyFiles(), r.took().toMillis());
            if (!r.succeeded()) {
                ctx.out.println("upload failed, the local archive is kept: " + r.uploadError());
                return UPLOAD_FAILED;
            }
            return OK;
        }
    }

    @Command(name = "verify", description = "Check an archive (decryption, integrity, every SHA-256) without restoring.")
    static final class Verify implements Callable<Integer> {
        private final Context ctx;

        @Parameters(paramLabel = "ARCHIVE")
        Path archive;

        Verify(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            BackupSettings s = BackupSettings.from(ctx.config);
            Manifest m = new BackupJob(s, null, null).verify(archive);
            Manifest.Counts c = m.counts();
            ctx.out.printf("%s is intact: created %s, %d members, %d messages in %d mailboxes, %d users, %d aliases, "
                            + "%d domains, %d key files%n", archive, m.created(), m.members().size(), c.messages(),
                    c.mailboxes(), c.users(), c.aliases(), c.domains(), c.keyFiles());
            return OK;
        }
    }

    @Command(name = "restore", description = "Restore an archive into an empty installation, or --merge it into one.")
    static final class Restore implements Callable<Integer> {
        private final Context ctx;

        @Parameters(paramLabel = "ARCHIVE")
        Path archive;

        @Option(names = "--merge", description = "Add to an existing installation; what exists is kept")
        boolean merge;

        @Option(names = "--overwrite-accounts", description = "With --merge: replace existing users with the archive's")
        boolean overwriteAccounts;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Restore(Context ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            if (overwriteAccounts && !merge) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--overwrite-accounts only applies with --merge");
            }
            Restorer.Report r = ctx.withJob(job -> job.restore(archive, merge, overwriteAccounts));
            var a = r.accounts();
            ctx.out.printf("restored %s: %d messages (%d kept), %d key files (%d kept), users %d created / %d replaced "
                            + "/ %d kept, aliases %d created / %d kept, domains %d created / %d kept%n", archive,
                    r.messagesRestored(), r.messagesKept(), r.keyFilesRestored(), r.keyFilesKept(), a.usersCreated(),
                    a.usersOverwritten(), a.usersKept(), a.aliasesCreated(), a.aliasesKept(), a.domainsCreated(),
                    a.domainsKept());
            return OK;
        }
    }
}
