package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What RcloneTarget says about a remote whose credentials are in an rclone connection string. */
class RcloneTargetTest {
    static final String REMOTE = ":s3,provider=AWS,access_key_id=AKIDEXAMPLE,secret_access_key='s3cr3t,value':bucket/mail";

    @Test
    void aFailedUploadNamesTheRemoteWithoutItsCredentials() {
        // /bin/false stands in for an rclone that fails: a real process with exit code 1
        RcloneTarget target = new RcloneTarget("false", REMOTE, null, Duration.ofSeconds(30));
        assertThatThrownBy(() -> target.upload(Path.of("archive.tar.gz.gpg")))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("failed (exit 1)")
                .hasMessageContaining(":s3,provider=***")
                .hasMessageNotContaining("AKIDEXAMPLE").hasMessageNotContaining("s3cr3t");
    }

    @Test
    void aPlainRemoteIsShownAsItIs() {
        assertThat(new RcloneTarget("rclone", "offsite:backups/mail", null, Duration.ofSeconds(1)).display())
                .isEqualTo("offsite:backups/mail");
        assertThat(new RcloneTarget("rclone", REMOTE, null, Duration.ofSeconds(1)).display())
                .isEqualTo(":s3,provider=***,access_key_id=***,secret_access_key=***:bucket/mail");
    }
}
