package io.mailroom.outbox;

import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.outbox.delivery.ConnectionPool;
import io.mailroom.outbox.delivery.LocalDelivery;
import io.mailroom.outbox.delivery.MtaStsPolicies;
import io.mailroom.outbox.delivery.MxResolver;
import io.mailroom.outbox.admin.QueueAdminServer;
import io.mailroom.outbox.delivery.RemoteDelivery;
import io.mailroom.outbox.queue.DeliveryQueue;
import io.mailroom.outbox.queue.Spool;
import io.mailroom.common.smtp.ReloadingTls;
import io.mailroom.outbox.submission.Authenticator;
import io.mailroom.outbox.submission.SendLimits;
import io.mailroom.outbox.submission.SubmissionServer;
import io.mailroom.outbox.submission.SubmissionSession;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The Outbox put together: submission listeners (587 STARTTLS, 465 implicit TLS), the spool and
 * delivery queue, local (LMTP) and remote (SMTP) delivery. Independent of Quarkus so that it also
 * runs from {@link OutboxMain}.
 */
public final class Outbox implements AutoCloseable {
    private final DeliveryQueue queue;
    private final SubmissionServer submission;
    private final SubmissionServer submissions;
    private final ConnectionPool pool;
    private final ScheduledExecutorService housekeeping;
    private final QueueAdminServer admin;

    public Outbox(OutboxSettings s, AccountStore store, KeyDirectory keys, DnsResolver dns) throws IOException {
        this(s, store, keys, dns, java.time.Clock.systemUTC());
    }

    /** @param clock the queue's time (tests move it to check a schedule of hours in milliseconds) */
    public Outbox(OutboxSettings s, AccountStore store, KeyDirectory keys, DnsResolver dns, java.time.Clock clock)
            throws IOException {
        ReloadingTls reloading = new ReloadingTls(s.tlsCert(), s.tlsKey());
        java.util.function.Supplier<SSLContext> tls = reloading::context;
        pool = new ConnectionPool(10_000, 8);
        MtaStsPolicies mtaSts = new MtaStsPolicies(dns, s.mtaStsUrlTemplate(), trust(s));
        RemoteDelivery remote = new RemoteDelivery(new MxResolver(dns, s.remotePort(), s.routes()), pool, mtaSts,
                s.hostname(), (int) s.connectTimeout().toMillis(), (int) s.readTimeout().toMillis());
        DomainCache domains = new DomainCache(store, 5_000);
        LocalDelivery local = new LocalDelivery(store, domains::isLocal, s.lmtpHost(), s.lmtpPort(), s.hostname(),
                (int) s.readTimeout().toMillis());
        queue = new DeliveryQueue(new Spool(s.spoolDir()), s.retry(), remote, local, s.hostname(), s.workers(), clock,
                new java.util.Random());
        queue.start();
        SubmissionSession.Services services = new SubmissionSession.Services(s.hostname(),
                new Authenticator(store, s.authCacheSize(), s.authMaxFailuresPerAccount(), s.authMaxFailuresPerIp(),
                        s.authFailureWindow().toMillis()),
                store, queue, new SendLimits(s.rateLimit(), s.rateWindow().toMillis()), s.maxMessageSize(),
                s.maxRecipients(), new DkimSigning(domains, keys));
        InetAddress bind = InetAddress.getByName(s.bindAddress());
        submission = new SubmissionServer(bind, s.submissionPort(), false, tls, services, s.maxConnections());
        submissions = new SubmissionServer(bind, s.submissionsPort(), true, tls, services, s.maxConnections());
        admin = s.adminToken().isPresent()
                ? new QueueAdminServer(InetAddress.getByName(s.adminBindAddress()), s.adminPort(), s.adminToken().get(), queue)
                : null;
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
        housekeeping.scheduleWithFixedDelay(pool::expire, 5, 5, TimeUnit.SECONDS);
    }

    public DeliveryQueue queue() {
        return queue;
    }

    public int submissionPort() {
        return submission.port();
    }

    public int submissionsPort() {
        return submissions.port();
    }

    /** The queue admin API's port, or 0 when it is off (no token configured). */
    public int adminPort() {
        return admin == null ? 0 : admin.port();
    }

    @Override
    public void close() throws IOException {
        submission.close();
        submissions.close();
        if (admin != null) {
            admin.close();
        }
        housekeeping.shutdownNow();
        queue.stop();
        pool.closeAll();
    }

    /** Trust for MTA-STS policy fetches and MX certificates: the JDK's CAs, or one CA file (tests, private PKI). */
    private static SSLContext trust(OutboxSettings s) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (s.mtaStsCaFile().isEmpty()) {
                ctx.init(null, null, null);
                return ctx;
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : io.mailroom.common.tls.PemTls.certificates(Files.readString(s.mtaStsCaFile().get()))) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot load MTA-STS trust: " + e.getMessage(), e);
        }
    }
}
