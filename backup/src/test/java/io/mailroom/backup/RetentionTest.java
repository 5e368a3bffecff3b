package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {
    static final Instant NOW = Instant.parse("2026-03-10T03:00:00Z");
    static final List<String> FILES = List.of(
            "mailroom-backup-20260310T023000Z.tar.gz.gpg",
            "mailroom-backup-20260309T023000Z.tar.gz.gpg",
            "mailroom-backup-20260309T023000Z-1.tar.gz.gpg",
            "mailroom-backup-20260301T023000Z.tar.gz",
            "mailroom-backup-20260101T023000Z.tar.gz.gpg",
            ".mailroom-backup-20260310T030000Z.tar.gz.gpg.partial",
            "notes.txt");

    @Test
    void keepsTheNewestByCount() {
        assertThat(Retention.toDelete(FILES, NOW, 2, null)).containsExactly(
                "mailroom-backup-20260309T023000Z.tar.gz.gpg", "mailroom-backup-20260301T023000Z.tar.gz",
                "mailroom-backup-20260101T023000Z.tar.gz.gpg");
    }

    @Test
    void deletesByAge() {
        assertThat(Retention.toDelete(FILES, NOW, 0, Duration.ofDays(7)))
                .containsExactly("mailroom-backup-20260301T023000Z.tar.gz", "mailroom-backup-20260101T023000Z.tar.gz.gpg");
    }

    @Test
    void neverDeletesTheNewestArchiveNorForeignFiles() {
        assertThat(Retention.toDelete(FILES, NOW.plus(Duration.ofDays(365)), 1, Duration.ofDays(1)))
                .hasSize(4).doesNotContain("mailroom-backup-20260310T023000Z.tar.gz.gpg", "notes.txt",
                        ".mailroom-backup-20260310T030000Z.tar.gz.gpg.partial");
        assertThat(Retention.toDelete(FILES, NOW, 0, null)).isEmpty();
    }

    @Test
    void retentionAgeSyntax() {
        assertThat(BackupSettings.age("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(BackupSettings.age("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(BackupSettings.age("P2D")).isEqualTo(Duration.ofDays(2));
        assertThat(BackupSettings.age("0")).isNull();
    }
}
