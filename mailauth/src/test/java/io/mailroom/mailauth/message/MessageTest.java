package io.mailroom.mailauth.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageTest {

    static Message parse(String s) {
        return Message.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepsFieldsInOrderWithTheirRawFolding() {
        Message m = parse("Received: a\r\nSubject: one\r\n\ttwo  \r\nreceived: b\r\nX-Empty:\r\n\r\nbody\r\nline 2\r\n");
        assertThat(m.headers()).extracting(HeaderField::name).containsExactly("Received", "Subject", "received", "X-Empty");
        assertThat(m.first("subject").raw()).isEqualTo("Subject: one\r\n\ttwo  \r\n");
        assertThat(m.first("subject").value()).isEqualTo("one\ttwo");
        assertThat(m.headers("RECEIVED")).hasSize(2);
        assertThat(new String(m.body(), StandardCharsets.ISO_8859_1)).isEqualTo("body\r\nline 2\r\n");
        assertThat(m.malformed()).isFalse();
        assertThat(new String(m.toBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("Received: a\r\nSubject: one\r\n\ttwo  \r\nreceived: b\r\nX-Empty:\r\n\r\nbody\r\nline 2\r\n");
    }

    @Test
    void convertsBareLfToCrlf() {
        Message m = parse("From: a@example.com\nSubject: x\n y\n\nline\n\n");
        assertThat(m.first("Subject").raw()).isEqualTo("Subject: x\r\n y\r\n");
        assertThat(new String(m.body(), StandardCharsets.ISO_8859_1)).isEqualTo("line\r\n\r\n");
    }

    @Test
    void toleratesMissingBodyAndBrokenLines() {
        Message noBody = parse("From: a@example.com\r\nSubject: x");
        assertThat(noBody.headers()).hasSize(2);
        assertThat(noBody.first("Subject").raw()).isEqualTo("Subject: x\r\n");
        assertThat(noBody.body()).isEmpty();
        Message broken = parse(" leading continuation\r\nnot a header line\r\nFrom : a@example.com\r\n\r\nb");
        assertThat(broken.malformed()).isTrue();
        assertThat(broken.headers()).extracting(HeaderField::name).containsExactly("From");
        assertThat(broken.first("From").value()).isEqualTo("a@example.com");
    }

    @Test
    void keepsEightBitBytes() {
        byte[] raw = "Subject: caf\u00e9 \u00ff\r\n\r\n\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Message.parse(raw).toBytes()).isEqualTo(raw);
    }
}
