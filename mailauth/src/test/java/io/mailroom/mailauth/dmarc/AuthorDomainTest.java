package io.mailroom.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.message.Message;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AuthorDomainTest {
    private static AuthorDomain of(String headers) {
        return AuthorDomain.of(Message.parse((headers + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void theDomainOfTheOneAuthor() {
        assertThat(of("From: CEO <ceo@Example.NET>\r\n").domain()).isEqualTo("example.net");
        assertThat(of("From: ceo@example.net (a (b) x@attacker.test)\r\n").domain()).isEqualTo("example.net");
        assertThat(of("From: a@example.net, B <b@example.net>\r\n").domain()).isEqualTo("example.net");
        assertThat(of("From: Board: ceo@example.net;\r\n").domain()).isEqualTo("example.net");
    }

    @Test
    void noSingleAuthorDomainIsAProblem() {
        assertThat(of("Subject: x\r\n").problem()).isEqualTo("no From field");
        assertThat(of("From: a@example.net\r\nFrom: a@example.net\r\n").problem()).isEqualTo("several From fields");
        assertThat(of("From: \"ceo@example.net\"\r\n").problem()).startsWith("From does not parse");
        assertThat(of("From: undisclosed-recipients:;\r\n").problem()).isEqualTo("From names no mailbox");
        assertThat(of("From: x@attacker.test, ceo@example.net\r\n").problem()).isEqualTo("From has mailboxes in 2 domains");
        assertThat(of("From: x@[127.0.0.1]\r\n").problem()).isEqualTo("the From domain is not a domain name");
        assertThat(of("From: x@exa_mple.net\r\n").problem()).isEqualTo("the From domain is not a domain name");
    }
}
