package io.mailroom.common.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.server.Session;

/** What a message handler may want to know about its session, from SubEthaSMTP's {@link MessageContext}. */
public final class SmtpSessions {
    private SmtpSessions() {}

    /** The client's IP address. */
    public static InetAddress clientAddress(MessageContext ctx) {
        return ((InetSocketAddress) ctx.getRemoteAddress()).getAddress();
    }

    /** The HELO/EHLO name, or empty. */
    public static String helo(MessageContext ctx) {
        return ctx.getHelo().orElse("");
    }

    /** The TLS session if the connection is encrypted (STARTTLS or implicit TLS). */
    public static Optional<SSLSession> tls(MessageContext ctx) {
        if (ctx instanceof Session s && s.isTLSStarted() && s.getSocket() instanceof SSLSocket ssl) {
            return Optional.of(ssl.getSession());
        }
        return Optional.empty();
    }

    /** Whether AUTH succeeded in this session. */
    public static boolean authenticated(MessageContext ctx) {
        return ctx.getAuthenticationHandler().isPresent();
    }

    /** The identity the authentication handler reported (e.g. the user name), or empty. */
    public static Optional<String> identity(MessageContext ctx) {
        return ctx.getAuthenticationHandler().map(AuthenticationHandler::getIdentity).map(String::valueOf);
    }

    /** The session id (also usable as a queue id in Received headers). */
    public static String sessionId(MessageContext ctx) {
        return ctx.getSessionId();
    }

    /** A {@link ReceivedHeader} pre-filled with the session's client, TLS and AUTH facts. */
    public static ReceivedHeader receivedHeader(MessageContext ctx, SmtpServerSettings settings) {
        ReceivedHeader h = ReceivedHeader.builder().helo(helo(ctx)).address(clientAddress(ctx))
                .by(settings.hostName()).software(settings.softwareName()).authenticated(authenticated(ctx));
        tls(ctx).ifPresent(t -> h.tls(t.getProtocol(), t.getCipherSuite()));
        return h;
    }
}
