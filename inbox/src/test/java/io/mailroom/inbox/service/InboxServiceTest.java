package io.mailroom.inbox.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.store.AccountStore;
import io.mailroom.testkit.ImapMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Quarkus service as deployed: configuration, the SMTP listener, health and Prometheus metrics. */
@QuarkusTest
@QuarkusTestResource(value = DovecotResource.class, restrictToAnnotatedClass = true)
class InboxServiceTest {
    @Inject
    AccountStore store;

    @TestHTTPResource("/q/health/ready")
    URL health;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    private static String get(URL url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void deliversAndReportsHealthAndMetrics() throws Exception {
        store.createDomain("example.test");
        store.createUser("dana@example.test", "dana-password");
        assertThat(get(health)).startsWith("200").contains("inbox-smtp", "\"UP\"");

        try (Socket s = new Socket("127.0.0.1", DovecotResource.smtpPort)) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).startsWith("220 mx.example.test ESMTP");
            out.write(("HELO client.example.com\r\nMAIL FROM:<x@example.com>\r\nRCPT TO:<dana@example.test>\r\n"
                    + "RCPT TO:<dana@elsewhere.example>\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("250");
            assertThat(in.readLine()).startsWith("250 2.1.0");
            assertThat(in.readLine()).startsWith("250 2.1.5");
            assertThat(in.readLine()).startsWith("550 5.7.1");
            assertThat(in.readLine()).startsWith("354");
            out.write("Subject: through the service\r\n\r\nhi\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("250 2.0.0 Ok: queued as");
        }
        assertThat(ImapMailbox.inbox(DovecotResource.dovecot.imapPort(), "dana@example.test", "dana-password"))
                .singleElement().satisfies(m -> assertThat(new String(m, StandardCharsets.UTF_8)).contains("Subject: through the service"));
        assertThat(get(metrics)).startsWith("200").contains("inbox_messages_total{result=\"delivered\"} 1.0");
    }
}
