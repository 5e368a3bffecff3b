package io.mailroom.common.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mailroom.common.smtp.SmtpServerSettings.BareLineEndPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpDataReaderTest {

    /** Data made only of empty lines: the hard cap must still stop the reader before the stream ends. */
    @Test
    void emptyLinesBeyondTheHardCapAbortWith552() {
        SmtpDataReader reader = new SmtpDataReader(1000, 998, Duration.ofHours(1), BareLineEndPolicy.REJECT);
        byte[] flood = "\r\n".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII); // 2 MiB, cap is ~1 MiB
        SmtpDataReader.AbortException e = assertThrows(SmtpDataReader.AbortException.class,
                () -> reader.read(new ByteArrayInputStream(flood)));
        assertEquals(552, e.code());
    }

    /** Data made only of empty lines: the time limit must still be checked. */
    @Test
    void emptyLinesPastTheTimeLimitAbortWith421() {
        SmtpDataReader reader = new SmtpDataReader(1000, 998, Duration.ZERO, BareLineEndPolicy.REJECT);
        byte[] lines = "\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        SmtpDataReader.AbortException e = assertThrows(SmtpDataReader.AbortException.class,
                () -> reader.read(new ByteArrayInputStream(lines)));
        assertEquals(421, e.code());
    }

    @Test
    void endsAtCrlfDotCrlfAndUnstuffs() throws Exception {
        SmtpDataReader reader = new SmtpDataReader(1000, 998, Duration.ofMinutes(1), BareLineEndPolicy.REJECT);
        SmtpDataReader.Result r = reader.read(new ByteArrayInputStream(
                "a\r\n..b\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(SmtpDataReader.Violation.NONE, r.violation());
        assertArrayEquals("a\r\n.b\r\n".getBytes(StandardCharsets.US_ASCII), r.message());
    }

    /** A client trickling bytes just under the per-read timeout is stopped soon after the DATA time limit. */
    @Test
    void tricklingDataIsStoppedSoonAfterTheTimeLimit() {
        SmtpDataReader reader = new SmtpDataReader(100_000, 998, Duration.ofMillis(200), BareLineEndPolicy.REJECT);
        java.io.InputStream trickle = new java.io.InputStream() {
            @Override
            public int read() {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                return 'a';
            }
        };
        SmtpDataReader.AbortException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(SmtpDataReader.AbortException.class, () -> reader.read(trickle)));
        assertEquals(421, e.code());
    }
}
