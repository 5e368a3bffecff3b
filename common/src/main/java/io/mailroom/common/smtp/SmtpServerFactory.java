package io.mailroom.common.smtp;

import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageHandlerFactory;
import org.subethamail.smtp.internal.server.ConcurrentSessionsBySourceLimiter;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Builds a SubEthaSMTP 7.2.2 server that is safe to face the Internet: one virtual thread per
 * connection, TLS 1.2+ from PEM files reloaded on change ({@link ReloadingTls}), global and
 * per-IP connection limits, recipient/size/line/time limits, smuggling-proof DATA, the ESMTP
 * extensions the library lacks, and enhanced status codes ({@link SmtpCommands} says what is
 * replaced and why). Received headers are NOT added by the server: build them with
 * {@link SmtpSessions#receivedHeader} in the handler, which knows the queue id and recipients.
 *
 * <pre>
 * SMTPServer server = SmtpServerFactory.create(settings, ctx -&gt; new MyEnvelopeHandler(ctx), null, null);
 * server.start();
 * int port = server.getPortAllocated();
 * </pre>
 */
public final class SmtpServerFactory {
    private static final Logger LOG = Logger.getLogger(SmtpServerFactory.class.getName());

    private SmtpServerFactory() {}

    /**
     * @param settings  listener, TLS, limits
     * @param handlers  one handler per transaction; make them {@link EnvelopeHandler}s to get the ESMTP parameters
     * @param auth      SMTP AUTH (only offered and accepted inside TLS), or null for none
     * @param admission an extra connection check run after the per-IP limit (DNSBL, ...), or null
     */
    public static SMTPServer create(SmtpServerSettings settings, MessageHandlerFactory handlers,
            AuthenticationHandlerFactory auth, SessionHandler admission) {
        ReloadingTls tls = settings.tlsEnabled() ? new ReloadingTls(settings.tlsCertificate(), settings.tlsKey()) : null;
        SMTPServer.Builder b = SMTPServer.port(settings.port())
                .hostName(settings.hostName())
                .softwareName(settings.softwareName())
                .backlog(128)
                .messageHandlerFactory(handlers)
                .executorService(Executors.newVirtualThreadPerTaskExecutor())
                .maxConnections(settings.maxConnections())
                .connectionTimeoutMs((int) settings.commandTimeout().toMillis())
                .maxRecipients(settings.maxRecipients())
                .maxMessageSize(settings.maxMessageSize())
                .insertReceivedHeaders(false)
                .sessionHandler(sessionHandler(settings, admission));
        if (settings.bindAddress() != null) {
            b.bindAddress(settings.bindAddress());
        }
        if (tls != null) {
            b.enableTLS().startTlsSocketFactory(tls::wrap).requireTLS(settings.requireTls());
            if (settings.implicitTls()) {
                b.serverSocketFactory(tls::implicitTlsServerSocket);
            }
        }
        if (auth != null) {
            b.authenticationHandlerFactory(auth);
        }
        SMTPServer server = b.build();
        SmtpCommands.install(server, settings, tls);
        return server;
    }

    private static SessionHandler sessionHandler(SmtpServerSettings settings, SessionHandler admission) {
        SessionHandler perIp = new ConcurrentSessionsBySourceLimiter(settings.maxConnectionsPerIp(), 421,
                "4.7.0 Too many connections from your address, try again later");
        if (admission == null) {
            return perIp;
        }
        return new SessionHandler() {
            @Override
            public SessionAcceptance accept(Session session) {
                SessionAcceptance a = perIp.accept(session);
                if (!a.accepted()) {
                    return a;
                }
                SessionAcceptance b;
                try {
                    b = admission.accept(session);
                } catch (RuntimeException e) {
                    // e.g. Redis unreachable: a reply, not a dropped connection, and the per-IP
                    // slot given back (the library would not call onSessionEnd, leaking it)
                    LOG.log(Level.WARNING, "connection check failed: " + e);
                    b = SessionAcceptance.failure(421, "4.3.0 Local error in processing, try again later");
                }
                if (!b.accepted()) {
                    perIp.onSessionEnd(session); // a refused session gets no onSessionEnd
                }
                return b;
            }

            @Override
            public void onSessionEnd(Session session) {
                try {
                    admission.onSessionEnd(session);
                } finally {
                    perIp.onSessionEnd(session);
                }
            }
        };
    }
}
