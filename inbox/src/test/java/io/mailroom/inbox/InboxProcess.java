package io.mailroom.inbox;

import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Inbox in a JVM of its own, so that a test can kill -9 it mid-transaction: {@link #main}
 * starts the plain Inbox (checks off) on a given port and prints {@code READY <port>}.
 */
final class InboxProcess implements AutoCloseable {
    private final Process process;

    /** Starts it and waits for READY; its output is appended to {@code log}. */
    InboxProcess(String redisUri, Path mailRoot, int lmtpPort, int smtpPort, Path log) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), InboxProcess.class.getName(),
                redisUri, mailRoot.toString(), String.valueOf(lmtpPort), String.valueOf(smtpPort));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null && !line.startsWith("READY ")) {
            seen.append(line).append('\n');
        }
        if (line == null) {
            throw new IllegalStateException("the inbox did not start:\n" + seen);
        }
        Files.writeString(log, seen, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // keep draining its output so that it never blocks on a full pipe
        Thread.ofVirtual().start(() -> {
            try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
                r.transferTo(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
    }

    /** SIGKILL: no shutdown hook runs, open transactions are cut where they are. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill9();
        }
    }

    /** Arguments: Redis URI, mail root, LMTP port, SMTP port. */
    public static void main(String[] args) throws Exception {
        RedisConnections redis = RedisConnections.open(args[0]);
        AccountStore store = new AccountStore(redis.dataSource(), new StoreSettings(Path.of(args[1]), '+', 4));
        InboxSettings settings = InboxSettings.plain(InboxFixture.smtp("mx.example.test").port(Integer.parseInt(args[3])).build(),
                "127.0.0.1", Integer.parseInt(args[2]));
        InboxServer inbox = new InboxServer(new InboxPipeline(settings, store,
                new DeliveryLedger(redis.dataSource(), Duration.ofDays(5)), null, null)).start();
        System.out.println("READY " + inbox.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
