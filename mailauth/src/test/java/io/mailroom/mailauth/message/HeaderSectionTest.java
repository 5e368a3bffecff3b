package io.mailroom.mailauth.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderSectionTest {
    private static String problem(String message, boolean utf8) {
        return HeaderSection.problem(message.getBytes(StandardCharsets.ISO_8859_1), utf8);
    }

    @Test
    void aWellFormedHeaderSectionHasNoProblem() {
        assertThat(problem("From: a@example.com\r\nSubject: x\r\n folded\r\nX-Empty:\r\nObs-Name : v\r\n\r\nbody\0\r\n", false)).isNull();
        assertThat(problem("From: a@example.com\r\n", false)).isNull();
        assertThat(problem("Subject: caf\u00c3\u00a9\r\n\r\n", true)).isNull();
        // the body is not the header section's business
        assertThat(problem("A: b\r\n\r\nno colon here\r\n" + "x".repeat(2000) + "\r\n", false)).isNull();
    }

    @Test
    void everyLineWithTwoReadingsIsAProblem() {
        assertThat(problem("A: b\r\nno colon\r\nB: c\r\n\r\n", false)).contains("not a field");
        assertThat(problem("Bad Name: b\r\n\r\n", false)).contains("not a field");
        assertThat(problem(": b\r\n\r\n", false)).contains("not a field");
        assertThat(problem(" A: b\r\n\r\n", false)).contains("continues no field");
        assertThat(problem("A: b\0c\r\n\r\n", false)).contains("NUL");
        assertThat(problem("A: b\rB: c\r\n\r\n", false)).contains("bare CR or LF");
        assertThat(problem("A: b\nB: c\r\n\r\n", false)).contains("bare CR or LF");
        assertThat(problem("A: caf\u00c3\u00a9\r\n\r\n", false)).contains("8-bit");
        assertThat(problem("A: " + "x".repeat(996) + "\r\n\r\n", false)).contains("longer than 998");
        assertThat(problem("A: " + ("x".repeat(900) + "\r\n ").repeat(80) + "\r\n\r\n", false)).contains("longer than 65536");
        assertThat(problem(("A: " + "x".repeat(900) + "\r\n").repeat(1200) + "\r\n", false)).contains("header section longer");
    }
}
