package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.RedisServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The service as it runs: the scheduler fires on {@code mailroom.backup.schedule} (every second
 * here), archives land in {@code mailroom.backup.dir}, and the Prometheus endpoint reports the time
 * of the last success.
 */
@QuarkusTest
@QuarkusTestResource(value = BackupServiceTest.Installation.class, restrictToAnnotatedClass = true)
class BackupServiceTest {
    private static final Pattern LAST_SUCCESS =
            Pattern.compile("(?m)^mailroom_backup_last_success_timestamp_seconds(?:\\{[^}]*\\})? ([0-9.Ee+]+)$");

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    public static class Installation implements QuarkusTestResourceLifecycleManager {
        static Path dir;
        private RedisServer redis;

        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("mailroom-backup-service");
                Files.createDirectories(dir.resolve("mail/example.test/hal/Maildir/new"));
                Files.writeString(dir.resolve("mail/example.test/hal/Maildir/new/1.A.host"),
                        "Message-ID: <s1@example.org>\n\nhello\n");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            redis = new RedisServer();
            redis.start();
            return Map.of("mailroom.redis.uri", redis.uri(),
                    "mailroom.mail-root", dir.resolve("mail").toString(),
                    "mailroom.key-dir", dir.resolve("keys").toString(),
                    "mailroom.backup.dir", dir.resolve("backups").toString(),
                    "mailroom.backup.allow-unencrypted", "true",
                    "mailroom.backup.retention.count", "3",
                    "mailroom.backup.schedule", "*/1 * * * * ?");
        }

        @Override
        public void stop() {
            if (redis != null) {
                redis.stop();
            }
            try {
                io.mailroom.backup.Installation.deleteChildren(dir);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temp directory: left to the OS
            }
        }
    }

    @Test
    void scheduledBackupsRunAndTheLastSuccessIsExported() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long startedAt = System.currentTimeMillis() / 1000;
        double lastSuccess = 0;
        String body = "";
        for (int i = 0; i < 100 && lastSuccess < startedAt; i++) {
            body = http.send(HttpRequest.newBuilder(metrics.toURI()).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = LAST_SUCCESS.matcher(body);
            lastSuccess = m.find() ? Double.parseDouble(m.group(1)) : 0;
            if (lastSuccess < startedAt) {
                Thread.sleep(200);
            }
        }
        assertThat(lastSuccess).as(body).isGreaterThanOrEqualTo(startedAt);
        assertThat(body).contains("mailroom_backup_last_messages 1.0");
        assertThat(http.send(HttpRequest.newBuilder(ready.toURI()).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        try (Stream<Path> s = Files.list(Installation.dir.resolve("backups"))) {
            Path archive = s.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).findFirst().orElseThrow();
            BackupSettings settings = BackupSettings.from(k -> java.util.Optional.empty());
            assertThat(new BackupJob(settings, null, null).verify(archive).counts().messages()).isEqualTo(1);
        }
        assertThat(URI.create(metrics.toString()).getHost()).isEqualTo("127.0.0.1");
    }
}
