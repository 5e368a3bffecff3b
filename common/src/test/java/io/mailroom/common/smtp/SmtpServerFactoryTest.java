package io.mailroom.common.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.testkit.TestCertificates;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.subethamail.smtp.server.SMTPServer;

/** The shared SMTP server against a byte-exact client: extensions, limits, TLS, smuggling. */
class SmtpServerFactoryTest {
    @TempDir
    static Path dir;

    static SmtpServerSettings settings;
    static RecordingHandler.Factory handlers;
    static SMTPServer server;
    static int port;

    @BeforeAll
    static void start() {
        TestCertificates.PemFiles pem = TestCertificates.selfSigned(dir, "mx.example.test");
        settings = SmtpServerSettings.builder().hostName("mx.example.test").softwareName("Mail Room test")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).tls(pem.certificate(), pem.key())
                .maxRecipients(3).maxMessageSize(10_000).maxLineLength(200).maxConnectionsPerIp(50)
                .dataTimeout(Duration.ofSeconds(1)).build();
        handlers = new RecordingHandler.Factory(settings);
        server = SmtpServerFactory.create(settings, handlers, null, null);
        server.start();
        port = server.getPortAllocated();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @BeforeEach
    void clear() {
        handlers.delivered.clear();
    }

    private static RawSmtpClient connect() throws Exception {
        RawSmtpClient c = new RawSmtpClient(port);
        assertThat(c.reply()).startsWith("220 mx.example.test ESMTP Mail Room test");
        return c;
    }

    @Test
    void ehloAdvertisesWhatIsImplementedAndNotChunking() throws Exception {
        try (RawSmtpClient c = connect()) {
            String ehlo = c.command("EHLO client.example.test");
            assertThat(ehlo).contains("250-PIPELINING", "250-SIZE 10000", "250-8BITMIME", "250-SMTPUTF8",
                    "250-ENHANCEDSTATUSCODES", "250-DSN", "250-STARTTLS");
            assertThat(ehlo).doesNotContain("CHUNKING", "REQUIRETLS", "AUTH");
            assertThat(c.command("BDAT 10 LAST")).startsWith("502 5.5.1");
        }
    }

    @Test
    void deliversOneMessageWithParametersDotUnstuffed() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.example.test");
            assertThat(c.command("MAIL FROM:<a@example.test> SIZE=100 BODY=8BITMIME RET=HDRS ENVID=x+2By"))
                    .isEqualTo("250 2.1.0 Ok");
            assertThat(c.command("RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+40example.test"))
                    .isEqualTo("250 2.1.5 Ok");
            assertThat(c.command("RCPT TO:<c@refused.test>")).isEqualTo("550 5.1.1 No such user");
            assertThat(c.command("DATA")).startsWith("354");
            assertThat(c.command("Subject: hi\r\n\r\n..leading dot\r\n.")).isEqualTo("250 2.0.0 Ok: queued as T1");
        }
        assertThat(handlers.delivered).hasSize(1);
        RecordingHandler.Delivered d = handlers.delivered.get(0);
        assertThat(d.content()).isEqualTo("Subject: hi\r\n\r\n.leading dot\r\n");
        assertThat(d.mail().ret()).isEqualTo("HDRS");
        assertThat(d.mail().envelopeId()).isEqualTo("x+y");
        assertThat(d.mail().size()).isEqualTo(100);
        assertThat(d.rcpts()).hasSize(1);
        assertThat(d.rcpts().get(0).notifySuccess()).isTrue();
        assertThat(d.rcpts().get(0).originalRecipient()).isEqualTo("rfc822;b@example.test");
        assertThat(d.received()).startsWith("Received: from client.example.test (unknown [127.0.0.1])")
                .contains("by mx.example.test (Mail Room test) with ESMTP id T1", "for <b@example.test>;");
    }

    @Test
    void pipelinedTransactionGetsOneReplyPerCommand() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.example.test");
            c.send("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n");
            assertThat(c.reply()).isEqualTo("250 2.1.0 Ok");
            assertThat(c.reply()).isEqualTo("250 2.1.5 Ok");
            assertThat(c.reply()).isEqualTo("250 2.1.5 Ok");
            assertThat(c.reply()).startsWith("354");
            c.send("Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
            assertThat(c.reply()).startsWith("221 2.0.0");
        }
        assertThat(handlers.delivered).hasSize(1);
        assertThat(handlers.delivered.get(0).rcpts()).hasSize(2);
    }

    /** The published SMTP smuggling end-of-data variants, each followed by a smuggled second message. */
    static final List<String> SMUGGLING = List.of("\n.\n", "\n.\r\n", "\r.\r", "\r\n.\r", "\r\n.\n", "\r.\r\n", "\r\n\r.\r\n");

    private static String smuggle(String variant) {
        return "Subject: first\r\n\r\nfirst body" + variant
                + "MAIL FROM:<evil@example.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\n"
                + "Subject: smuggled\r\n\r\nsmuggled body\r\n.\r\n";
    }

    @Test
    void everySmugglingVariantIsRefusedAndNothingIsDelivered() throws Exception {
        for (boolean pipelined : new boolean[] {false, true}) {
            for (String variant : SMUGGLING) {
                try (RawSmtpClient c = connect()) {
                    c.command("EHLO client.example.test");
                    if (pipelined) {
                        c.send("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n" + smuggle(variant));
                        assertThat(c.reply()).startsWith("250");
                        assertThat(c.reply()).startsWith("250");
                        assertThat(c.reply()).startsWith("354");
                    } else {
                        c.command("MAIL FROM:<a@example.test>");
                        c.command("RCPT TO:<b@example.test>");
                        assertThat(c.command("DATA")).startsWith("354");
                        c.send(smuggle(variant));
                    }
                    assertThat(c.reply()).as("variant %s", variant.replace("\r", "\\r").replace("\n", "\\n"))
                            .startsWith("550 5.6.0");
                    // the session is in sync again: the next command gets its own reply
                    assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 Ok");
                }
            }
        }
        assertThat(handlers.delivered).isEmpty();
    }

    @Test
    void normalizingPolicyDeliversOneMessageWithTheSmuggledTextAsContent() throws Exception {
        SmtpServerSettings s = settings.toBuilder().bareLineEnds(SmtpServerSettings.BareLineEndPolicy.NORMALIZE).build();
        RecordingHandler.Factory h = new RecordingHandler.Factory(s);
        SMTPServer normalizing = SmtpServerFactory.create(s, h, null, null);
        normalizing.start();
        try {
            for (String variant : SMUGGLING) {
                try (RawSmtpClient c = new RawSmtpClient(normalizing.getPortAllocated())) {
                    c.reply();
                    c.command("EHLO client.example.test");
                    c.command("MAIL FROM:<a@example.test>");
                    c.command("RCPT TO:<b@example.test>");
                    c.command("DATA");
                    c.send(smuggle(variant));
                    assertThat(c.reply()).startsWith("250 2.0.0");
                    assertThat(c.command("NOOP")).isEqualTo("250 2.0.0 Ok");
                }
            }
        } finally {
            normalizing.stop();
        }
        assertThat(h.delivered).hasSize(SMUGGLING.size());
        for (RecordingHandler.Delivered d : h.delivered) {
            assertThat(d.mail().address()).isEqualTo("a@example.test");
            assertThat(d.content()).contains("smuggled body").doesNotContain("\n.\r\n").matches("(?s)([^\r\n]*\r\n)*");
        }
    }

    @Test
    void commandsPipelinedAfterStartTlsAreDiscarded() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.example.test");
            c.send("STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n");
            assertThat(c.reply()).startsWith("220 2.0.0");
            SSLSocket tls = c.startTls();
            assertThat(tls.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
            // HELO state was reset and the injected MAIL was not executed
            assertThat(c.command("MAIL FROM:<a@example.test>")).startsWith("503 5.5.1");
            String ehlo = c.command("EHLO client.example.test");
            assertThat(ehlo).contains("250-REQUIRETLS").doesNotContain("STARTTLS");
            assertThat(c.command("MAIL FROM:<a@example.test> REQUIRETLS")).isEqualTo("250 2.1.0 Ok");
            c.command("RCPT TO:<b@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: tls\r\n\r\nx\r\n.")).startsWith("250");
        }
        assertThat(handlers.delivered).hasSize(1);
        assertThat(handlers.delivered.get(0).mail().requireTls()).isTrue();
        assertThat(handlers.delivered.get(0).received()).contains("(using TLSv1.").contains("with ESMTPS id");
    }

    @Test
    void requireTlsIsRefusedInPlaintextAndAuthIsNotOffered() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.example.test");
            assertThat(c.command("MAIL FROM:<a@example.test> REQUIRETLS")).startsWith("530 5.7.10");
            assertThat(c.command("MAIL FROM:<a@example.test> FOO=bar")).startsWith("555 5.5.4");
            assertThat(c.command("MAIL FROM:<ä@example.test>")).startsWith("553 5.6.7");
            assertThat(c.command("MAIL FROM:<ä@example.test> SMTPUTF8")).isEqualTo("250 2.1.0 Ok");
        }
    }

    @Test
    void limitsGetTheirReplyCodes() throws Exception {
        try (RawSmtpClient c = connect()) {
            assertThat(c.command("MAIL FROM:<a@example.test>")).startsWith("503 5.5.1"); // no EHLO
            c.command("EHLO client.example.test");
            assertThat(c.command("MAIL FROM:<a@example.test> SIZE=10001")).startsWith("552 5.3.4");
            c.command("MAIL FROM:<a@example.test>");
            for (int i = 0; i < 3; i++) {
                assertThat(c.command("RCPT TO:<r" + i + "@example.test>")).startsWith("250");
            }
            assertThat(c.command("RCPT TO:<r4@example.test>")).isEqualTo("452 4.5.3 Too many recipients");
            c.command("DATA");
            assertThat(c.command("Subject: big\r\n\r\n" + ("x".repeat(100) + "\r\n").repeat(120) + "."))
                    .startsWith("552 5.3.4");
            c.command("MAIL FROM:<a@example.test>");
            c.command("RCPT TO:<r@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: long\r\n\r\n" + "y".repeat(201) + "\r\n.")).startsWith("500 5.6.0");
            assertThat(c.command("RSET")).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(handlers.delivered).isEmpty();
    }

    @Test
    void slowDataTimesOutWith421() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.example.test");
            c.command("MAIL FROM:<a@example.test>");
            c.command("RCPT TO:<b@example.test>");
            c.command("DATA");
            c.send("Subject: slow\r\n");
            assertThat(c.reply()).startsWith("421 4.4.2");
        }
        assertThat(handlers.delivered).isEmpty();
    }

    @Test
    void aFailingConnectionCheckGets421AndDoesNotUseUpThePerIpLimit() throws Exception {
        SmtpServerSettings two = settings.toBuilder().maxConnectionsPerIp(2).build();
        org.subethamail.smtp.server.SessionHandler failing = new org.subethamail.smtp.server.SessionHandler() {
            @Override
            public SessionAcceptance accept(org.subethamail.smtp.server.Session session) {
                throw new IllegalStateException("reputation cache unreachable");
            }

            @Override
            public void onSessionEnd(org.subethamail.smtp.server.Session session) {}
        };
        SMTPServer checked = SmtpServerFactory.create(two, new RecordingHandler.Factory(two), null, failing);
        checked.start();
        try {
            for (int i = 0; i < 4; i++) {
                try (RawSmtpClient c = new RawSmtpClient(checked.getPortAllocated())) {
                    assertThat(c.reply()).as("connection %d", i).startsWith("421 4.3.0 Local error");
                }
            }
        } finally {
            checked.stop();
        }
    }

    @Test
    void connectionsPerIpAreLimitedWith421() throws Exception {
        SmtpServerSettings four = settings.toBuilder().maxConnectionsPerIp(4).build();
        SMTPServer limited = SmtpServerFactory.create(four, new RecordingHandler.Factory(four), null, null);
        limited.start();
        List<RawSmtpClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawSmtpClient c = new RawSmtpClient(limited.getPortAllocated());
                assertThat(c.reply()).startsWith("220");
                open.add(c);
            }
            try (RawSmtpClient fifth = new RawSmtpClient(limited.getPortAllocated())) {
                assertThat(fifth.reply()).startsWith("421 4.7.0");
            }
        } finally {
            for (RawSmtpClient c : open) {
                c.close();
            }
            limited.stop();
        }
    }

    @Test
    void tlsCertificateIsReloadedWhenTheFilesChange(@TempDir Path certs) throws Exception {
        TestCertificates.PemFiles first = TestCertificates.selfSigned(certs.resolve("a"), "one.example.test");
        TestCertificates.PemFiles second = TestCertificates.selfSigned(certs.resolve("b"), "two.example.test");
        Path cert = certs.resolve("tls.crt");
        Path key = certs.resolve("tls.key");
        Files.copy(first.certificate(), cert);
        Files.copy(first.key(), key);
        SmtpServerSettings s = settings.withTls(cert, key);
        SMTPServer tlsServer = SmtpServerFactory.create(s, new RecordingHandler.Factory(s), null, null);
        tlsServer.start();
        try {
            assertThat(peerName(tlsServer.getPortAllocated())).contains("one.example.test");
            Files.copy(second.key(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second.certificate(), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            Thread.sleep(2100);
            assertThat(peerName(tlsServer.getPortAllocated())).contains("two.example.test");
        } finally {
            tlsServer.stop();
        }
    }

    private static String peerName(int p) throws Exception {
        try (RawSmtpClient c = new RawSmtpClient(p)) {
            c.reply();
            c.command("EHLO client.example.test");
            c.command("STARTTLS");
            SSLSocket s = c.startTls();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void authIsOnlyOfferedAndAcceptedInsideTls() throws Exception {
        var auth = new org.subethamail.smtp.auth.PlainAuthenticationHandlerFactory(
                (user, password, ctx) -> {
                    if (!user.equals("u") || !password.equals("p")) {
                        throw new org.subethamail.smtp.auth.LoginFailedException();
                    }
                });
        SMTPServer withAuth = SmtpServerFactory.create(settings, new RecordingHandler.Factory(settings), auth, null);
        withAuth.start();
        try (RawSmtpClient c = new RawSmtpClient(withAuth.getPortAllocated())) {
            c.reply();
            assertThat(c.command("EHLO client.example.test")).doesNotContain("AUTH");
            // AUTH PLAIN u/p in plaintext: refused before any credential is checked
            assertThat(c.command("AUTH PLAIN AHUAcA==")).startsWith("538 5.7.11");
            c.command("STARTTLS");
            c.startTls();
            assertThat(c.command("EHLO client.example.test")).contains("250-AUTH PLAIN");
            assertThat(c.command("AUTH PLAIN AHUAcA==")).startsWith("235");
        } finally {
            withAuth.stop();
        }
    }

    @Test
    void implicitTlsSpeaksTlsFromTheFirstByte() throws Exception {
        SmtpServerSettings s = settings.toBuilder().implicitTls(true).build();
        RecordingHandler.Factory h = new RecordingHandler.Factory(s);
        SMTPServer tlsPort = SmtpServerFactory.create(s, h, null, null);
        tlsPort.start();
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}
                public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
            }}, null);
            try (SSLSocket sock = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", tlsPort.getPortAllocated())) {
                sock.setSoTimeout(10_000);
                sock.startHandshake();
                assertThat(sock.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(sock.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
                var out = sock.getOutputStream();
                assertThat(in.readLine()).startsWith("220 mx.example.test");
                out.write("EHLO c.example.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n".getBytes());
                String l;
                StringBuilder ehlo = new StringBuilder();
                while ((l = in.readLine()).startsWith("250-")) {
                    ehlo.append(l).append('\n');
                }
                assertThat(ehlo.toString()).doesNotContain("STARTTLS").contains("REQUIRETLS");
                assertThat(in.readLine()).startsWith("250 2.1.0");
                assertThat(in.readLine()).startsWith("250 2.1.5");
                assertThat(in.readLine()).startsWith("354");
                out.write("Subject: implicit\r\n\r\nx\r\n.\r\n".getBytes());
                assertThat(in.readLine()).startsWith("250 2.0.0");
            }
        } finally {
            tlsPort.stop();
        }
        assertThat(h.delivered).singleElement().satisfies(d -> assertThat(d.received()).contains("with ESMTPS"));
    }
}
