package io.mailroom.common.lmtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmtpReplyReaderTest {
    private static SmtpReplyReader reader(String raw) {
        return new SmtpReplyReader(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)), "mx.example.com");
    }

    @Test
    void readsMultiLineRepliesOneAfterTheOther() throws IOException {
        SmtpReplyReader r = reader("250-mx.example.com\r\n250-SIZE 1000\r\n250 8BITMIME\r\n550 5.1.1 No such user\r\n221\r\n");
        SmtpReply ehlo = r.read();
        assertThat(ehlo.code()).isEqualTo(250);
        assertThat(ehlo.lines()).containsExactly("mx.example.com", "SIZE 1000", "8BITMIME");
        assertThat(r.read().toString()).isEqualTo("550 5.1.1 No such user");
        SmtpReply bare = r.read();
        assertThat(bare.code()).isEqualTo(221);
        assertThat(bare.lines()).containsExactly("");
    }

    @Test
    void malformedRepliesAreIoExceptionsNotRuntimeExceptions() {
        for (String bad : new String[] {"25\r\n", "2x0 ok\r\n", "hello\r\n", "250_ok\r\n", "099 zero\r\n",
                "250-first\r\n550 second\r\n", ""}) {
            assertThatThrownBy(() -> reader(bad).read()).as(bad).isInstanceOf(IOException.class);
        }
    }

    @Test
    void overlongLinesAndEndlessContinuationsAreCut() {
        assertThatThrownBy(() -> reader("250 " + "x".repeat(SmtpReplyReader.MAX_LINE) + "\r\n").read())
                .isInstanceOf(IOException.class).hasMessageContaining("longer than");
        String endless = "250-more\r\n".repeat(SmtpReplyReader.MAX_LINES + 1) + "250 end\r\n";
        assertThatThrownBy(() -> reader(endless).read()).isInstanceOf(IOException.class)
                .hasMessageContaining(SmtpReplyReader.MAX_LINES + " lines");
    }

    @Test
    void dotStuffingDoublesLeadingDotsAndEndsWithCrlf() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffing.write(out, ".hidden\r\nmiddle.\r\n..two\r\nlast".getBytes(StandardCharsets.US_ASCII));
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("..hidden\r\nmiddle.\r\n...two\r\nlast\r\n");
    }
}
