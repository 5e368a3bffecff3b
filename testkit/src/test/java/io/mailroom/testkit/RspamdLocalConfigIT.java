package io.mailroom.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A test can replace one file of the shared local.d, here the action thresholds; Redis and Unbound are private. */
class RspamdLocalConfigIT {
    @RegisterExtension
    static RspamdExtension rspamd = new RspamdExtension()
            .localConfig("actions.conf", "reject = 2;\nadd_header = 1.5;\ngreylist = null;\n");

    @Test
    void lowerRejectThresholdRejectsAMessageWithoutDateAndMessageId() throws Exception {
        byte[] message = "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: hello\r\n\r\nHello Bob\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        RspamdServer.Result result = rspamd.check(message, Map.of("IP", "127.0.0.1"));
        assertThat(result.symbols()).as(result.json()).contains("MISSING_DATE", "MISSING_MID");
        assertThat(result.score()).isBetween(2.0, 15.0);
        assertThat(result.action()).isEqualTo("reject");
    }
}
