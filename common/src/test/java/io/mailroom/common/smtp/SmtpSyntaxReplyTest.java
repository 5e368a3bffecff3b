package io.mailroom.common.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** A parameter name is client input echoed in the reply: the reply stays printable ASCII. */
class SmtpSyntaxReplyTest {

    @Test
    void aLongOrDuplicatedParameterNameIsNotEchoedRaw() {
        SmtpServerSettings settings = SmtpServerSettings.builder().build();
        String longKey = "X\r250 OK\u0000AAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        for (String line : new String[] {"MAIL FROM:<a@example.test> " + longKey, "MAIL FROM:<a@example.test> X\r1 X\r1"}) {
            SmtpSyntax.SyntaxException e = catchThrowableOfType(SmtpSyntax.SyntaxException.class,
                    () -> SmtpSyntax.mailFrom(line, settings, false));
            assertThat(e.reply()).matches("[ -~]+");
        }
    }
}
