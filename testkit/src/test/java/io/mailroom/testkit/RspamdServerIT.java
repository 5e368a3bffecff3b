package io.mailroom.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real Rspamd with the shared loopback configuration: stock GTUBE handling, a clean result
 * for ordinary mail, DNS answered by the test's Unbound, and no socket to anything but loopback.
 */
class RspamdServerIT {
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    /** A documentation address (RFC 5737): only ever a value in a header here, never a peer. */
    static final String SENDER_IP = "192.0.2.10";

    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension()
            .zone("example.test", z -> z.mx("example.test", 10, "mail.example.test")
                    .a("mail.example.test", SENDER_IP)
                    .txt("example.test", "v=spf1 ip4:" + SENDER_IP + " -all")
                    .txt("_dmarc.example.test", "v=DMARC1; p=reject"))
            .zone("2.0.192.in-addr.arpa", z -> z.ptr(SENDER_IP, "mail.example.test"));

    @RegisterExtension
    static RspamdExtension rspamd = new RspamdExtension(dns.server());

    static byte[] message(String from, String subject, String body) {
        return ("From: Alice <" + from + ">\r\n"
                + "To: Bob <bob@example.test>\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <20261125100000.1234@mail.example.test>\r\n"
                + "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> envelope(String ip, String from) {
        return Map.of("IP", ip, "Helo", "mail.example.test", "From", from, "Rcpt", "bob@example.test");
    }

    static final String HAM_BODY = """
            Hi Bob,\r
            \r
            shall we have lunch together on Friday at noon? The usual place near the\r
            office would suit me well, and I can book a table for two.\r
            \r
            Best regards,\r
            Alice\r
            """;

    @Test
    void gtubeIsRejected() throws Exception {
        RspamdServer.Result result = rspamd.check(message("alice@example.test", "test", GTUBE + "\r\n"),
                envelope(SENDER_IP, "alice@example.test"));
        assertThat(result.action()).isEqualTo("reject");
        assertThat(result.symbols()).contains("GTUBE");
    }

    @Test
    void ordinaryMailFromAnSpfAuthorisedHostGetsNoAction() throws Exception {
        RspamdServer.Result result = rspamd.check(message("alice@example.test", "Lunch on Friday", HAM_BODY),
                envelope(SENDER_IP, "alice@example.test"));
        assertThat(result.action()).as(result.json()).isEqualTo("no action");
        assertThat(result.score()).isLessThan(4.0);
        // SPF and DMARC were evaluated from the test's records, served by the test's Unbound
        assertThat(result.symbols()).as(result.json()).contains("R_SPF_ALLOW", "DMARC_POLICY_ALLOW").doesNotContain("GTUBE");
    }

    @Test
    void spfFailsForAHostTheTestRecordsDoNotAuthorise() throws Exception {
        RspamdServer.Result result = rspamd.check(message("alice@example.test", "Lunch on Friday", HAM_BODY),
                envelope("192.0.2.99", "alice@example.test"));
        assertThat(result.symbols()).as(result.json()).contains("R_SPF_FAIL", "DMARC_POLICY_REJECT");
    }

    @Test
    void controllerAnswersLoopbackClientsAndStoresHistoryInTheGivenRedis() throws Exception {
        rspamd.check(message("alice@example.test", "history", HAM_BODY), envelope(SENDER_IP, "alice@example.test"));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ping = http.send(HttpRequest.newBuilder(rspamd.server().controllerUri("/ping")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ping.body()).contains("pong");
        HttpResponse<String> stat = http.send(HttpRequest.newBuilder(rspamd.server().controllerUri("/stat")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stat.statusCode()).isEqualTo(200);
        assertThat(stat.body()).contains("\"scanned\"");
        // the scan history lives in the Redis that Rspamd was given
        assertThat(rspamd.redis().command("DBSIZE")).isNotEqualTo(":0").startsWith(":");
    }

    @Test
    void talksToNothingButLoopback() throws Exception {
        // a message full of things the stock configuration would look up on the Internet:
        // URLs (SURBL, redirectors, phishing feeds), a freemail sender, an unknown relay
        byte[] mail = message("someone@gmail.com", "Cheap offer",
                "Visit https://www.example.com/offer and http://bit.ly/abc123 or https://paypal.com.login.example.net/\r\n");
        RspamdServer.Result result = rspamd.check(mail, Map.of("IP", "198.51.100.7", "Helo", "relay.example.net",
                "From", "someone@gmail.com", "Rcpt", "bob@example.test"));
        assertThat(result.action()).isNotNull();
        assertThat(LoopbackSockets.connectedSockets(rspamd.server().processes())).as("rspamd's connected sockets")
                .isNotEmpty()
                .allSatisfy(peer -> assertThat(peer.loopback()).as(peer.toString()).isTrue());
    }
}
