package io.mailroom.outbox.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.lmtp.SmtpReply;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryResultTest {
    @Test
    void aHugeReplyIsCutBeforeItIsKeptWithTheRecipient() {
        // the most the reply reader lets through: 100 lines of 4 KB
        List<String> lines = Collections.nCopies(100, "4.7.1 " + "x".repeat(4000));
        DeliveryResult r = DeliveryResult.of(new SmtpReply(451, lines), "mx.example.net");
        assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(r.status()).isEqualTo("4.7.1");
        assertThat(r.reply()).startsWith("451 4.7.1 xxx").endsWith("...").hasSizeLessThanOrEqualTo(1000);
        assertThat(DeliveryResult.of(new SmtpReply(550, List.of("5.1.1 no such user")), "mx").reply())
                .isEqualTo("550 5.1.1 no such user");
    }
}
