package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DeliveryLedger;
import io.mailroom.common.store.ReceivedReports;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.inbox.InboxPipeline;
import io.mailroom.inbox.InboxServer;
import io.mailroom.inbox.InboxSettings;
import io.mailroom.inbox.ReportIntake;
import io.mailroom.testkit.ImapMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reports received end to end: a DMARC aggregate report (zipped, as Google sends them) and a
 * TLS report (gzipped JSON in multipart/report, RFC 8460 §5.3) go over SMTP to a real Inbox at
 * postmaster@, Dovecot stores them, the Inbox reads and keeps them, and {@code mailroom-cli
 * dmarc-reports} / {@code tls-reports} print the per-source summary the reports say. A report
 * about someone else's domain and a zip bomb are delivered but not kept.
 */
@QuarkusTest
@QuarkusTestResource(ControllerServers.class)
class ReportCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static RedisConnections redis;
    static InboxServer inbox;

    @TestHTTPResource("/")
    URI base;

    @BeforeAll
    static void startInbox() {
        redis = RedisConnections.open(ControllerServers.redis.uri());
        AccountStore store = new AccountStore(redis.dataSource(), new StoreSettings(ControllerServers.dovecot.mailRoot(), '+', 4));
        store.createDomain("example.com");
        store.createUser("owner@example.com", "owner password 1");
        SmtpServerSettings smtp = SmtpServerSettings.builder().hostName("mx.example.com").softwareName("Mail Room")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).build();
        inbox = new InboxServer(new InboxPipeline(InboxSettings.plain(smtp, "127.0.0.1", ControllerServers.dovecot.lmtpPort()),
                store, new DeliveryLedger(redis.dataSource(), Duration.ofDays(1)), null, null)
                .reportIntake(new ReportIntake(new ReceivedReports(redis.dataSource())))).start();
    }

    @AfterAll
    static void stop() {
        if (inbox != null) {
            inbox.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(ReportCliIT.class.getResourceAsStream("/reports/" + name), name)) {
            return in.readAllBytes();
        }
    }

    static byte[] zip(String name, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(data);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    /** A report mail as receivers send them: a text part and the attachment. */
    static String reportMail(String subject, String multipartType, String type, String filename, byte[] attachment) {
        return "From: reports@reporter.example\r\nTo: postmaster@example.com\r\nSubject: " + subject + "\r\n"
                + "Message-ID: <" + System.nanoTime() + "@reporter.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: " + multipartType + "; boundary=\"=-b-=\"\r\n\r\n--=-b-=\r\nContent-Type: text/plain\r\n\r\n"
                + "This is a report.\r\n--=-b-=\r\nContent-Type: " + type + "\r\nContent-Disposition: attachment; filename=\"" + filename
                + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(attachment)
                + "\r\n--=-b-=--\r\n";
    }

    /** One SMTP transaction; returns the reply to the end of data. */
    static String send(int port, String rcpt, String message) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(reply(in)).startsWith("220");
            for (String c : new String[] {"EHLO reporter.example", "MAIL FROM:<reports@reporter.example>", "RCPT TO:<" + rcpt + ">", "DATA"}) {
                out.write((c + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String r = reply(in);
                assertThat(r).as(c).matches(c.equals("DATA") ? "(?s)354.*" : "(?s)25\\d.*");
            }
            String body = message.replace("\r\n.", "\r\n..");
            out.write((body + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String end = reply(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            return end;
        }
    }

    static String reply(BufferedReader in) throws IOException {
        String line;
        StringBuilder all = new StringBuilder();
        do {
            line = in.readLine();
            all.append(line).append('\n');
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return all.toString();
    }

    @Test
    void dmarcAndTlsReportsThroughTheInboxToTheCli() throws Exception {
        int port = inbox.port();
        byte[] xml = resource("001.xml"); // policy_published example.com: 192.168.4.4, 123 messages, dkim pass, spf fail
        assertThat(send(port, "postmaster@example.com", reportMail("Report domain: example.com Submitter: reporter.example Report-ID: 3v98abbp8ya9n3va8yr8oa3ya",
                "multipart/mixed", "application/zip", "reporter.example!example.com!161212415!161221511.zip",
                zip("reporter.example!example.com!161212415!161221511.xml", xml)))).startsWith("250");
        // the same report sent again is one report, not two
        assertThat(send(port, "Postmaster@example.com", reportMail("Report domain: example.com (again)", "multipart/mixed",
                "application/zip", "r.zip", zip("r.xml", xml)))).startsWith("250");
        // a second reporter, another source that fails: via gzip as RFC 9990 says
        String failing = new String(xml, StandardCharsets.UTF_8).replace("Sample Reporter", "Other Reporter")
                .replace("3v98abbp8ya9n3va8yr8oa3ya", "other-1").replace("192.168.4.4", "2001:db8::25")
                .replace("<count>123</count>", "<count>7</count>").replace("<dkim>pass</dkim>", "<dkim>fail</dkim>");
        assertThat(send(port, "postmaster@example.com", reportMail("Report domain: example.com Submitter: other", "multipart/mixed",
                "application/gzip", "other!example.com!1!2.xml.gz", gzip(failing.getBytes(StandardCharsets.UTF_8))))).startsWith("250");
        // an attacker's report about another domain, and a zip bomb: delivered mail, but no report kept
        String foreign = new String(xml, StandardCharsets.UTF_8).replace("<domain>example.com</domain>", "<domain>victim.example</domain>")
                .replace("3v98abbp8ya9n3va8yr8oa3ya", "foreign-1");
        assertThat(send(port, "postmaster@example.com", reportMail("Report domain: victim.example", "multipart/mixed",
                "application/gzip", "f.xml.gz", gzip(foreign.getBytes(StandardCharsets.UTF_8))))).startsWith("250");
        assertThat(send(port, "postmaster@example.com", reportMail("Report domain: example.com (bomb)", "multipart/mixed",
                "application/zip", "bomb.zip", zip("bomb.xml", new byte[40 << 20])))).startsWith("250");
        // a TLS report (RFC 8460 §5.3) for example.com
        String tls = new String(resource("rpt01.json"), StandardCharsets.UTF_8).replace("company-y.example", "example.com");
        assertThat(send(port, "postmaster@example.com", reportMail("Report Domain: example.com Submitter: company-x.example Report-ID: <5065427c>",
                "multipart/report; report-type=\"tlsrpt\"", "application/tlsrpt+gzip", "company-x.example!example.com!1459468800!1459555199.json.gz",
                gzip(tls.getBytes(StandardCharsets.UTF_8))))).startsWith("250");

        // the raw reports stay in the mailbox (postmaster@ is the domain's first user)
        assertThat(ImapMailbox.messages(ControllerServers.dovecot.imapPort(), "owner@example.com", "owner password 1", "INBOX")).hasSize(6);

        Cli.Result text = Cli.run(base, "dmarc-reports", "example.com");
        assertThat(text.exitCode()).as(text.err()).isEqualTo(0);
        assertThat(text.out()).contains("example.com: 2 DMARC report(s), 130 message(s)");
        assertThat(text.out()).containsPattern("2001:db8:0:0:0:0:0:25\\s+0\\s+7\\s+0\\s+Other Reporter");
        assertThat(text.out()).containsPattern("192\\.168\\.4\\.4\\s+123\\s+0\\s+0\\s+Sample Reporter");
        assertThat(text.out()).doesNotContain("victim");
        JsonNode dmarc = JSON.readTree(Cli.run(base, "dmarc-reports", "example.com", "-o", "json").out());
        assertThat(dmarc.path("sources")).hasSize(2);
        assertThat(dmarc.path("sources").get(0).path("sourceIp").asText()).isEqualTo("2001:db8:0:0:0:0:0:25"); // failing first
        assertThat(dmarc.path("sources").get(0).path("fail").asLong()).isEqualTo(7);
        assertThat(dmarc.path("sources").get(1).path("pass").asLong()).isEqualTo(123);

        Cli.Result tlsText = Cli.run(base, "tls-reports", "example.com");
        assertThat(tlsText.exitCode()).as(tlsText.err()).isEqualTo(0);
        assertThat(tlsText.out()).contains("example.com: 1 TLS report(s)");
        assertThat(tlsText.out()).containsPattern("Company-X\\s+sts example.com\\s+5326\\s+303\\s+"
                + "certificate-expired=100, starttls-not-supported=200, validation-failure=3");

        assertThat(Cli.run(base, "dmarc-reports", "unknown.example").exitCode()).isEqualTo(2);
    }
}
