package io.mailroom.common.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class ReceivedHeaderTest {
    private static final ZonedDateTime DATE = ZonedDateTime.of(2026, 11, 25, 14, 50, 23, 0, ZoneOffset.UTC);

    @Test
    void buildsTraceFieldWithTlsAndProtocolKeyword() throws Exception {
        String h = ReceivedHeader.builder().helo("mail.example.com").address(InetAddress.getByName("127.0.0.2"))
                .reverseName("mail.example.com").by("mx.example.net").software("Mail Room")
                .tls("TLSv1.3", "TLS_AES_256_GCM_SHA384").id("4AbC").recipient("bob@example.net").date(DATE).build();
        assertThat(h).isEqualTo("Received: from mail.example.com (mail.example.com [127.0.0.2])\r\n"
                + "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n"
                + "\tby mx.example.net (Mail Room) with ESMTPS id 4AbC\r\n"
                + "\tfor <bob@example.net>; Wed, 25 Nov 2026 14:50:23 +0000\r\n");
    }

    @Test
    void protocolKeywordsFollowRfc3848AndRfc6531() {
        assertThat(ReceivedHeader.builder().protocol()).isEqualTo("ESMTP");
        assertThat(ReceivedHeader.builder().authenticated(true).tls("TLSv1.2", "x").protocol()).isEqualTo("ESMTPSA");
        assertThat(ReceivedHeader.builder().smtpUtf8(true).tls("TLSv1.2", "x").protocol()).isEqualTo("UTF8SMTPS");
        assertThat(ReceivedHeader.builder().esmtp(false).protocol()).isEqualTo("SMTP");
    }

    @Test
    void clientSuppliedHeloCannotBreakTheHeader() {
        String h = ReceivedHeader.builder().helo("evil (x)\r\nX-Injected: 1").by("mx").date(DATE).build();
        assertThat(h).startsWith("Received: from evil??x???X-Injected:?1\r\n").doesNotContain("\r\nX-Injected");
    }
}
