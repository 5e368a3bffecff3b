package io.mailroom.outbox.delivery;

import io.mailroom.common.dsn.Xtext;
import io.mailroom.common.lmtp.SmtpReply;
import io.mailroom.outbox.queue.QueuedMessage;
import io.mailroom.outbox.queue.RecipientState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jboss.logging.Logger;

/**
 * Delivers one message to the recipients of one remote domain over SMTP: MX hosts in order,
 * their addresses in order, STARTTLS when offered (or required by an MTA-STS policy), the
 * message's needs (SIZE, 8BITMIME, SMTPUTF8) checked against the peer, DSN parameters passed on
 * to peers that support DSN (RFC 3461), one result per recipient.
 *
 * <p>8-bit content to a peer without 8BITMIME is bounced (5.6.3), not downgraded: the Outbox
 * has already DKIM-signed the message and a conversion to quoted-printable would break the
 * signature.
 */
public final class RemoteDelivery {
    private static final Logger LOG = Logger.getLogger(RemoteDelivery.class);

    private final MxResolver mx;
    private final ConnectionPool pool;
    private final MtaStsPolicies mtaSts;
    private final String hostname;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final SSLContext opportunistic;

    public RemoteDelivery(MxResolver mx, ConnectionPool pool, MtaStsPolicies mtaSts, String hostname,
            int connectTimeoutMs, int readTimeoutMs) {
        this.mx = mx;
        this.pool = pool;
        this.mtaSts = mtaSts;
        this.hostname = hostname;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.opportunistic = trustAll();
    }

    /** Results in the order of {@code recipients}. */
    public List<DeliveryResult> deliver(QueuedMessage m, byte[] message, String domain, List<RecipientState> recipients) {
        MxResolver.Lookup lookup = mx.resolve(domain);
        if (lookup.failure() != null) {
            return same(recipients, lookup.failure());
        }
        MtaStsPolicies.Policy policy = mtaSts == null ? null : mtaSts.policy(domain);
        DeliveryResult last = DeliveryResult.deferred("4.4.1", "no MX host of " + domain + " could be reached", null);
        for (Route route : lookup.routes()) {
            if (policy != null && policy.enforce() && route.fromMx() && !policy.allows(route.host())) {
                last = DeliveryResult.deferred("4.7.5", "MX host " + route.host()
                        + " is not allowed by the MTA-STS policy of " + domain, route.host());
                continue;
            }
            for (InetAddress addr : route.addresses()) {
                // a connection opened under an MTA-STS policy (verified TLS) and an opportunistic one are never shared
                boolean verified = policy != null && policy.enforce() && route.fromMx();
                String key = (verified ? "sts:" : "opp:") + route.host() + "/" + addr.getHostAddress() + ":" + route.port();
                SmtpClient c = pool.take(key);
                try {
                    if (c == null) {
                        c = open(route, addr, verified);
                    }
                    List<DeliveryResult> results = transaction(c, m, message, recipients, route.host());
                    pool.release(key, c);
                    return results;
                } catch (SmtpClient.SmtpException e) {
                    if (c != null) {
                        c.quit();
                    }
                    last = DeliveryResult.of(e.reply(), route.host());
                    if (last.outcome() == DeliveryResult.Outcome.FAILED) {
                        // a 5xx greeting/EHLO: try the next host (RFC 5321 §5.1), but remember it as temporary
                        last = DeliveryResult.deferred("4.4.1", e.getMessage(), route.host());
                    }
                } catch (TlsRequired e) {
                    if (c != null) {
                        c.closeQuietly();
                    }
                    last = DeliveryResult.deferred("4.7.5", e.getMessage(), route.host());
                } catch (IOException e) {
                    if (c != null) {
                        c.closeQuietly();
                    }
                    LOG.debugf("delivery to %s [%s] failed: %s", route.host(), addr.getHostAddress(), e.toString());
                    last = DeliveryResult.deferred("4.4.1", "connection to " + route.host() + "["
                            + addr.getHostAddress() + "]:" + route.port() + " failed: " + e.getMessage(), route.host());
                }
            }
        }
        return same(recipients, last);
    }

    private SmtpClient open(Route route, InetAddress addr, boolean enforce) throws IOException {
        SmtpClient c = SmtpClient.connect(new InetSocketAddress(addr, route.port()), route.host(), hostname,
                connectTimeoutMs, readTimeoutMs);
        try {
            if (c.supports("STARTTLS")) {
                try {
                    if (enforce) {
                        c.startTls(mtaSts.tlsContext(), route.host());
                    } else {
                        c.startTls(opportunistic, null);
                    }
                } catch (SSLException e) {
                    c.closeQuietly();
                    if (enforce) {
                        throw new TlsRequired("TLS with " + route.host() + " failed under the MTA-STS policy: " + e.getMessage());
                    }
                    // opportunistic: a failed handshake falls back to a new plaintext connection (RFC 3207 §4.1 allows either)
                    return plainRetry(route, addr);
                }
            } else if (enforce) {
                throw new TlsRequired(route.host() + " offers no STARTTLS but the MTA-STS policy requires TLS");
            }
            return c;
        } catch (IOException e) {
            c.closeQuietly();
            throw e;
        }
    }

    private SmtpClient plainRetry(Route route, InetAddress addr) throws IOException {
        return SmtpClient.connect(new InetSocketAddress(addr, route.port()), route.host(), hostname,
                connectTimeoutMs, readTimeoutMs);
    }

    private List<DeliveryResult> transaction(SmtpClient c, QueuedMessage m, byte[] message, List<RecipientState> rcpts,
            String mta) throws IOException {
        if (m.smtputf8() && !c.supports("SMTPUTF8")) {
            return same(rcpts, DeliveryResult.failed("5.6.7", mta + " does not support SMTPUTF8, which this message needs", mta));
        }
        if (m.eightBit() && !c.supports("8BITMIME")) {
            return same(rcpts, DeliveryResult.failed("5.6.3", mta + " does not accept 8-bit content (no 8BITMIME)", mta));
        }
        long limit = c.sizeLimit();
        if (limit > 0 && message.length > limit) {
            return same(rcpts, DeliveryResult.failed("5.3.4", "message of " + message.length
                    + " bytes exceeds the size limit of " + mta + " (" + limit + ")", mta));
        }
        boolean dsn = c.supports("DSN");
        StringBuilder mp = new StringBuilder();
        if (c.supports("SIZE")) {
            mp.append("SIZE=").append(message.length);
        }
        if (m.eightBit()) {
            mp.append(mp.isEmpty() ? "" : " ").append("BODY=8BITMIME");
        }
        if (m.smtputf8()) {
            mp.append(mp.isEmpty() ? "" : " ").append("SMTPUTF8");
        }
        if (dsn && m.ret() != null) {
            mp.append(mp.isEmpty() ? "" : " ").append("RET=").append(m.ret());
        }
        if (dsn && m.envid() != null) {
            mp.append(mp.isEmpty() ? "" : " ").append("ENVID=").append(Xtext.encode(m.envid()));
        }
        SmtpReply mail = c.mail(m.sender(), mp.toString());
        if (!mail.positive()) {
            return same(rcpts, DeliveryResult.of(mail, mta));
        }
        List<DeliveryResult> results = new ArrayList<>();
        List<Integer> accepted = new ArrayList<>();
        for (int i = 0; i < rcpts.size(); i++) {
            RecipientState r = rcpts.get(i);
            StringBuilder rp = new StringBuilder();
            if (dsn && r.notifyOn() != null) {
                rp.append("NOTIFY=").append(r.notifyOn());
            }
            if (dsn) {
                String orcpt = r.orcpt() != null ? r.orcpt() : "rfc822;" + r.address();
                rp.append(rp.isEmpty() ? "" : " ").append("ORCPT=").append(Xtext.encode(orcpt));
            }
            SmtpReply rr = c.rcpt(r.address(), rp.toString());
            results.add(DeliveryResult.of(rr, mta));
            if (rr.positive()) {
                accepted.add(i);
            }
        }
        if (accepted.isEmpty()) {
            c.reset();
            return results;
        }
        DeliveryResult data = DeliveryResult.of(c.data(message), mta);
        for (int i : accepted) {
            results.set(i, data);
        }
        return results;
    }

    private static List<DeliveryResult> same(List<RecipientState> rs, DeliveryResult r) {
        List<DeliveryResult> out = new ArrayList<>();
        rs.forEach(x -> out.add(r));
        return out;
    }

    /** Opportunistic TLS authenticates nobody (RFC 7435): any certificate is accepted. */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class TlsRequired extends IOException {
        TlsRequired(String message) {
            super(message);
        }
    }
}
