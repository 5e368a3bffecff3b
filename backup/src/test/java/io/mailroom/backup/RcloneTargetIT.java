package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ExternalServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upload with the real rclone (Debian package {@code rclone}) to an {@code alias} remote that points
 * at a local directory, so nothing leaves the machine; retention on both sides; a failed upload.
 */
class RcloneTargetIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path work;

    static Installation inst;
    static String rclone;
    static Path rcloneConfig;
    static Path remoteDir;

    @BeforeAll
    static void setUp() throws Exception {
        rclone = ExternalServer.requireBinary("rclone", "rclone");
        inst = new Installation(mail, work);
        inst.store.createDomain("example.test");
        inst.store.createUser("gina@example.test", "gina's secret");
        inst.deliver("gina@example.test", Installation.message("gina@example.test", "g1", "hello gina"));
        remoteDir = Files.createDirectories(work.resolve("remote"));
        rcloneConfig = Files.writeString(work.resolve("rclone.conf"), """
                [offsite]
                type = alias
                remote = %s
                """.formatted(remoteDir));
    }

    @AfterAll
    static void tearDown() {
        inst.close();
    }

    @Test
    void archivesAreCopiedToTheRemoteAndRetentionAppliesOnBothSides() throws Exception {
        Path local = work.resolve("local");
        BackupSettings s = new BackupSettings(mail.redis().uri(), inst.mailRoot, inst.keys.root(), local, null, null,
                null, true, "offsite:mailroom", rcloneConfig, rclone, 2, Duration.ofDays(30));
        List<BackupJob.Report> reports = List.of(inst.job(s).run(), inst.job(s).run(), inst.job(s).run());
        for (BackupJob.Report r : reports) {
            assertThat(r.succeeded()).as(String.valueOf(r.uploadError())).isTrue();
        }
        List<String> newest = reports.subList(1, 3).stream().map(r -> r.archive().getFileName().toString()).sorted()
                .toList();
        assertThat(names(local)).isEqualTo(newest);
        assertThat(names(remoteDir.resolve("mailroom"))).isEqualTo(newest);
        assertThat(reports.get(2).deleted()).contains(reports.get(0).archive().getFileName().toString(),
                "offsite:mailroom " + reports.get(0).archive().getFileName());
        Path copy = remoteDir.resolve("mailroom").resolve(newest.get(1));
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(local.resolve(newest.get(1))));
        assertThat(inst.job(s).verify(copy).counts().messages()).isEqualTo(1);
    }

    @Test
    void failedUploadKeepsTheLocalArchiveAndIsReported() throws Exception {
        Path local = work.resolve("local-failed");
        Map<String, String> config = new HashMap<>();
        config.put("mailroom.redis.uri", mail.redis().uri());
        config.put("mailroom.mail-root", inst.mailRoot.toString());
        config.put("mailroom.key-dir", inst.keys.root().toString());
        config.put("mailroom.backup.dir", local.toString());
        config.put("mailroom.backup.allow-unencrypted", "true");
        config.put("mailroom.backup.rclone.remote", "nowhere:mailroom");
        config.put("mailroom.backup.rclone.config", rcloneConfig.toString());
        config.put("mailroom.backup.rclone.binary", rclone);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackupCli.execute(k -> Optional.ofNullable(config.get(k)), new PrintWriter(out), new PrintWriter(err),
                "now");
        assertThat(code).isEqualTo(BackupCli.UPLOAD_FAILED);
        assertThat(out.toString()).contains("upload failed, the local archive is kept")
                .contains("rclone copy to nowhere:mailroom failed");
        List<String> kept = names(local);
        assertThat(kept).hasSize(1);
        assertThat(inst.job(inst.settings).verify(local.resolve(kept.get(0))).counts().users()).isEqualTo(1);
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
