package io.mailroom.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.mailauth.dkim.SigningKey;
import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.mailroom.outbox.peers.PostfixServer;
import io.mailroom.outbox.peers.SmtpSink;
import io.mailroom.outbox.peers.Swaks;
import io.mailroom.outbox.queue.QueueFilter;
import io.mailroom.outbox.queue.QueuedMessage;
import io.mailroom.testkit.Await;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import io.mailroom.testkit.UnboundExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery found through DNS: MX records served by a real Unbound on loopback, a real Postfix as
 * the MX (STARTTLS, Maildir), smtp-sink as an address-only host, and DKIM signatures checked by
 * dkimpy.
 */
class DnsDeliveryIT {
    static final int REMOTE_PORT = FreePorts.next();

    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @RegisterExtension
    static UnboundExtension dns = new UnboundExtension()
            .zone("remote.test", z -> z.mx("remote.test", 10, "mx1.remote.test").mx("remote.test", 20, "mx2.remote.test")
                    .a("mx1.remote.test", "127.0.0.5").a("mx2.remote.test", "127.0.0.7"))
            .zone("amx.test", z -> z.a("amx.test", "127.0.0.8"))
            .zone("v6.test", z -> z.mx("v6.test", 10, "mx.v6.test").aaaa("mx.v6.test", "::1"))
            .zone("nullmx.test", z -> z.record("nullmx.test", "MX", "0 ."))
            // MTA-STS: sts.test enforces TLS to the Postfix MX; strict.test enforces it to an MX without STARTTLS
            .zone("sts.test", z -> z.mx("sts.test", 10, "mx2.remote.test").txt("_mta-sts.sts.test", "v=STSv1; id=20260101"))
            .zone("strict.test", z -> z.mx("strict.test", 10, "mx.strict.test").a("mx.strict.test", "127.0.0.8")
                    .txt("_mta-sts.strict.test", "v=STSv1; id=1"));

    static final String PW = "correct horse battery";
    static RedisConnections redis;
    static AccountStore store;
    static Outbox outbox;
    static PostfixServer postfix;
    static SmtpSink sink;
    static SmtpSink sink6;
    static Path tmp;
    static com.sun.net.httpserver.HttpsServer policyServer;
    static final Map<String, String> dkimDns = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("outbox-dns-");
        redis = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        store.createDomain("example.test");
        store.createUser("alice@example.test", PW);
        KeyDirectory keys = new KeyDirectory(tmp.resolve("keys"));
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String rsaPem = pem(rsa.generateKeyPair().getPrivate().getEncoded());
        String edPem = pem(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded());
        keys.write(keys.dkimKey("example.test", "rsa2026"), rsaPem);
        keys.write(keys.dkimKey("example.test", "ed2026"), edPem);
        keys.write(keys.dkimKey("example.test", "old2020"), rsaPem);
        dkimDns.put("rsa2026._domainkey.example.test", SigningKey.fromPem(rsaPem).dnsRecord());
        dkimDns.put("ed2026._domainkey.example.test", SigningKey.fromPem(edPem).dnsRecord());
        store.updateDomain(store.requireDomain("example.test").withDkim(List.of(
                new DkimKeyInfo("rsa2026", DkimKeyInfo.RSA_SHA256, "x", true, null),
                new DkimKeyInfo("ed2026", DkimKeyInfo.ED25519_SHA256, "x", true, null),
                new DkimKeyInfo("old2020", DkimKeyInfo.RSA_SHA256, "x", false, null))));
        var mxCert = TestCertificates.selfSigned(tmp.resolve("mx-tls"), "mx2.remote.test");
        postfix = PostfixServer.mx("127.0.0.7", REMOTE_PORT, "mx2.remote.test", "remote.test, sts.test", mxCert.certificate(), mxCert.key());
        sink = new SmtpSink("127.0.0.8", REMOTE_PORT, "amx.test");
        sink6 = new SmtpSink("::1", REMOTE_PORT, "mx.v6.test");
        // the MTA-STS policy host (HTTPS with the same test certificate, which also names 127.0.0.1)
        policyServer = com.sun.net.httpserver.HttpsServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 10);
        policyServer.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(
                io.mailroom.common.tls.PemTls.serverContext(mxCert.certificate(), mxCert.key())));
        policyServer.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String body = path.equals("/sts.test/.well-known/mta-sts.txt")
                    ? "version: STSv1\r\nmode: enforce\r\nmx: mx2.remote.test\r\nmax_age: 86400\r\n"
                    : path.equals("/strict.test/.well-known/mta-sts.txt")
                            ? "version: STSv1\r\nmode: enforce\r\nmx: mx.strict.test\r\nmax_age: 86400\r\n" : null;
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : b.length);
            if (body != null) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        policyServer.start();
        var cert = TestCertificates.selfSigned(tmp.resolve("tls"), "mail.example.test");
        Map<String, String> p = new HashMap<>();
        p.put("mailroom.hostname", "mail.example.test");
        p.put("mailroom.submission.port", String.valueOf(FreePorts.next()));
        p.put("mailroom.submissions.port", String.valueOf(FreePorts.next()));
        p.put("mailroom.tls.cert", cert.certificate().toString());
        p.put("mailroom.tls.key", cert.key().toString());
        p.put("mailroom.outbox.spool-dir", tmp.resolve("spool").toString());
        p.put("mailroom.lmtp.port", String.valueOf(mail.dovecot().lmtpPort()));
        p.put("mailroom.outbox.remote-port", String.valueOf(REMOTE_PORT));
        p.put("mailroom.outbox.connect-timeout", "3s");
        p.put("mailroom.outbox.retry-schedule", "1s");
        p.put("mailroom.outbox.mta-sts.url-template", "https://127.0.0.1:" + policyServer.getAddress().getPort()
                + "/{domain}/.well-known/mta-sts.txt");
        p.put("mailroom.outbox.mta-sts.ca-file", mxCert.certificate().toString());
        outbox = new Outbox(OutboxTestConfig.settings(p), store, keys,
                DnsjavaResolver.builder().server(dns.host(), dns.port()).build());
    }

    static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }

    @AfterAll
    static void stop() throws Exception {
        if (outbox != null) {
            outbox.close();
        }
        if (postfix != null) {
            postfix.close();
        }
        if (sink != null) {
            sink.close();
        }
        if (sink6 != null) {
            sink6.close();
        }
        if (policyServer != null) {
            policyServer.stop(0);
        }
        redis.close();
    }

    static Swaks.Result submit(String to, String subject) throws Exception {
        return Swaks.run("--server", "127.0.0.1:" + outbox.submissionPort(), "--tls", "--auth", "LOGIN",
                "--auth-user", "alice@example.test", "--auth-password", PW, "--from", "alice@example.test", "--to", to,
                "--header", "Subject: " + subject, "--header", "From: Alice <alice@example.test>");
    }

    @Test
    void secondMxIsARealPostfixReachedOverStartTlsAndBothDkimSignaturesVerifyWithDkimpy() throws Exception {
        var r = submit("user@remote.test", "dns-postfix-1");
        assertThat(r.exit()).as(r.transcript()).isZero();
        List<byte[]> got = postfix.await(1, Duration.ofSeconds(30));
        assertThat(got).as(postfix.log()).hasSize(1);
        String m = new String(got.get(0), StandardCharsets.UTF_8);
        assertThat(m).contains("Subject: dns-postfix-1", "by mx2.remote.test (Postfix) with ESMTPS");
        assertThat(m).contains("s=rsa2026;", "s=ed2026;").doesNotContain("s=old2020");
        Path file = tmp.resolve("received.eml");
        Files.write(file, m.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        Path keysJson = tmp.resolve("dkim-keys.json");
        Files.writeString(keysJson, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(dkimDns));
        Path script = Path.of(getClass().getResource("/dkim_verify.py").toURI());
        Process py = new ProcessBuilder("/usr/bin/python3", script.toString(), file.toString(), keysJson.toString())
                .redirectErrorStream(true).start();
        String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(py.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("pass pass");
    }

    @Test
    void withBothMxHostsUpTheMorePreferredOneGetsTheMail() throws Exception {
        // RFC 5321 §5.1: the lowest preference value first; the other MX only when it cannot be reached
        try (SmtpSink mx1 = new SmtpSink("127.0.0.5", REMOTE_PORT, "mx1.remote.test")) {
            var r = submit("pref@remote.test", "dns-pref-1");
            assertThat(r.exit()).as(r.transcript()).isZero();
            QueueFilter remote = new QueueFilter(List.of(), null, "remote.test", null, null, null);
            Await.until("nothing queued for remote.test", Duration.ofSeconds(30), () -> outbox.queue().list(remote).isEmpty());
            assertThat(mx1.messages()).singleElement().asString().contains("dns-pref-1", "X-Rcpt-Args: <pref@remote.test>");
            assertThat(postfix.messages()).noneMatch(b -> new String(b, StandardCharsets.UTF_8).contains("dns-pref-1"));
        }
    }

    @Test
    void aDomainWithoutMxGetsMailAtItsAddressRecord() throws Exception {
        var r = submit("someone@amx.test", "dns-amx-1");
        assertThat(r.exit()).as(r.transcript()).isZero();
        List<String> got = sink.await(1, Duration.ofSeconds(20));
        assertThat(got).anyMatch(x -> x.contains("dns-amx-1") && x.contains("X-Rcpt-Args: <someone@amx.test>"));
    }

    @Test
    void anIpv6OnlyMxIsReachedOverIpv6() throws Exception {
        var r = submit("someone@v6.test", "dns-v6-1");
        assertThat(r.exit()).as(r.transcript()).isZero();
        List<String> got = sink6.await(1, Duration.ofSeconds(20));
        assertThat(got).anyMatch(x -> x.contains("dns-v6-1") && x.contains("X-Client-Addr: ipv6:::1"));
    }

    @Test
    void aNullMxDomainBouncesAtOnce() throws Exception {
        var r = submit("someone@nullmx.test", "dns-nullmx-1");
        assertThat(r.exit()).as(r.transcript()).isZero();
        Instant end = Instant.now().plusSeconds(20);
        String dsn = null;
        while (dsn == null && Instant.now().isBefore(end)) {
            for (byte[] b : ImapMailbox.inbox(mail.dovecot().imapPort(), "alice@example.test", PW)) {
                String s = new String(b, StandardCharsets.UTF_8);
                if (s.contains("dns-nullmx-1")) {
                    dsn = s;
                }
            }
            Thread.sleep(200);
        }
        assertThat(dsn).isNotNull().contains("Status: 5.1.10", "null MX", "Action: failed");
    }

    @Test
    void mtaStsEnforceDeliversOverVerifiedTlsAndRefusesAnMxWithoutTls() throws Exception {
        assertThat(submit("user@strict.test", "sts-strict-1").exit()).isZero();
        var r = submit("user@sts.test", "sts-ok-1");
        assertThat(r.exit()).as(r.transcript()).isZero();
        Instant end = Instant.now().plusSeconds(30);
        String got = null;
        while (got == null && Instant.now().isBefore(end)) {
            for (byte[] b : postfix.messages()) {
                String s = new String(b, StandardCharsets.UTF_8);
                if (s.contains("sts-ok-1")) {
                    got = s;
                }
            }
            Thread.sleep(100);
        }
        assertThat(got).as(postfix.log()).isNotNull().contains("with ESMTPS");
        // the MX of strict.test speaks no STARTTLS: under "enforce" the message waits in the queue; two
        // attempts (retry every 1 s) show it is refused again, not merely not tried yet
        QueueFilter strict = new QueueFilter(List.of(), null, "strict.test", null, null, null);
        QueuedMessage waiting = Await.value("two refused attempts for strict.test", Duration.ofSeconds(20), () -> outbox
                .queue().list(strict).stream().filter(m -> m.recipients().get(0).attempts() >= 2).findFirst().orElse(null));
        assertThat(waiting.recipients().get(0).history()).allMatch(a -> a.outcome().equals("deferred"));
        assertThat(sink.messages()).noneMatch(m -> m.contains("sts-strict-1"));
    }
}
