package io.mailroom.outbox.submission;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.smtp.MailParameters;
import io.mailroom.common.smtp.RcptParameters;
import io.mailroom.common.smtp.ReceivedHeader;
import io.mailroom.common.smtp.SmtpDataReader;
import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.common.smtp.SmtpSyntax;
import io.mailroom.common.store.AccountStore;
import io.mailroom.outbox.queue.DeliveryQueue;
import io.mailroom.outbox.queue.QueuedMessage;
import io.mailroom.outbox.queue.RecipientState;
import io.mailroom.outbox.queue.Spool;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jboss.logging.Logger;

/**
 * One submission connection (RFC 6409, RFC 5321). Rules this session enforces:
 * <ul>
 * <li>AUTH (PLAIN, LOGIN) only inside TLS; MAIL only after AUTH ({@code 530 5.7.0}).</li>
 * <li>After STARTTLS everything read before the handshake is discarded (no command injection, CVE-2011-0411).</li>
 * <li>Envelope sender and every {@code From:} address must be the user or one of its aliases ({@code 550 5.7.1}).</li>
 * <li>DATA ends only at CRLF.CRLF; a bare CR or LF anywhere rejects the message ({@code 554 5.6.0}),
 *     so no message can smuggle a second one past a downstream server.</li>
 * <li>Limits: line length, message size ({@code 552 5.3.4}), recipients ({@code 452 4.5.3}),
 *     sending rate ({@code 451 4.7.1}), errors per session, idle time.</li>
 * </ul>
 * DSN parameters (RET, ENVID, NOTIFY, ORCPT; RFC 3461) are kept with the queued message.
 */
public final class SubmissionSession {
    private static final Logger LOG = Logger.getLogger(SubmissionSession.class);
    private static final int MAX_LINE = 2048;
    private static final int MAX_ERRORS = 20;
    private static final int IDLE_MS = 300_000;

    /** What a session needs from the service. */
    public record Services(String hostname, Authenticator auth, AccountStore store, DeliveryQueue queue,
            SendLimits limits, long maxMessageSize, int maxRecipients, MessageSigner signer) {
        /** Parameter rules for the shared MAIL/RCPT parser (DSN advertised, no REQUIRETLS). */
        SmtpServerSettings syntax() {
            return SmtpServerSettings.builder().hostName(hostname).maxRecipients(maxRecipients)
                    .maxMessageSize((int) Math.min(Integer.MAX_VALUE - 16, maxMessageSize)).advertiseDsn(true)
                    .advertiseRequireTls(false).build();
        }
    }

    /** DKIM signing of a prepared message for the domain of its From address. */
    @FunctionalInterface
    public interface MessageSigner {
        byte[] sign(byte[] message, String fromDomain);
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;
    private final Supplier<SSLContext> tlsContext;
    private final Services s;
    private final SmtpServerSettings syntax;
    private final SmtpDataReader dataReader;
    private final String clientIp;

    private String helo;
    private String user;
    private int errors;
    // transaction
    private String sender;
    private String ret;
    private String envid;
    private boolean smtputf8;
    private boolean eightBitBody;
    private final List<RecipientState> rcpts = new ArrayList<>();
    private final Set<String> rcptSet = new HashSet<>();

    SubmissionSession(Socket socket, boolean tls, Supplier<SSLContext> tlsContext, Services services) throws IOException {
        this.tls = tls;
        this.tlsContext = tlsContext;
        this.s = services;
        this.syntax = services.syntax();
        this.dataReader = SmtpDataReader.of(syntax);
        this.clientIp = ((InetSocketAddress) socket.getRemoteSocketAddress()).getAddress().getHostAddress();
        attach(socket);
    }

    private void attach(Socket sock) throws IOException {
        socket = sock;
        sock.setSoTimeout(IDLE_MS);
        in = new BufferedInputStream(sock.getInputStream(), 16 * 1024);
        out = new BufferedOutputStream(sock.getOutputStream(), 16 * 1024);
    }

    void run() throws IOException {
        reply("220 " + s.hostname() + " ESMTP Mail Room submission");
        while (true) {
            String line = readLine(MAX_LINE);
            if (line == null) {
                reply("500 5.5.6 Line too long");
                if (++errors > MAX_ERRORS) {
                    return;
                }
                continue;
            }
            String verb = (line.indexOf(' ') < 0 ? line : line.substring(0, line.indexOf(' '))).toUpperCase(Locale.ROOT);
            String arg = line.indexOf(' ') < 0 ? "" : line.substring(line.indexOf(' ') + 1).trim();
            try {
                if (!command(verb, arg)) {
                    return;
                }
            } catch (RuntimeException e) {
                // a store or Redis failure: the client may retry, nothing was accepted
                LOG.errorf(e, "%s from %s failed", verb, clientIp);
                resetTransaction();
                reply("451 4.3.0 Temporary server error, try again later");
            }
            if (errors > MAX_ERRORS) {
                reply("421 4.7.0 Too many errors, closing");
                return;
            }
        }
    }

    /** Runs one command; false when the session ends. */
    private boolean command(String verb, String arg) throws IOException {
        {
            switch (verb) {
                case "EHLO", "HELO" -> hello(verb, arg);
                case "STARTTLS" -> {
                    if (!startTls()) {
                        return false;
                    }
                }
                case "AUTH" -> auth(arg);
                case "MAIL" -> mail(arg);
                case "RCPT" -> rcpt(arg);
                case "DATA" -> data();
                case "RSET" -> {
                    resetTransaction();
                    reply("250 2.0.0 Ok");
                }
                case "NOOP" -> reply("250 2.0.0 Ok");
                case "VRFY" -> reply("252 2.5.0 Cannot VRFY user");
                case "QUIT" -> {
                    reply("221 2.0.0 Bye");
                    return false;
                }
                case "BDAT" -> error("502 5.5.1 CHUNKING not supported");
                default -> error("500 5.5.2 Command not recognized");
            }
            return true;
        }
    }

    private void hello(String verb, String arg) throws IOException {
        if (arg.isEmpty()) {
            error("501 5.5.4 Syntax: " + verb + " hostname");
            return;
        }
        helo = arg;
        resetTransaction();
        if (verb.equals("HELO")) {
            reply("250 " + s.hostname());
            return;
        }
        List<String> ext = new ArrayList<>();
        ext.add(s.hostname());
        ext.add("PIPELINING");
        ext.add("SIZE " + s.maxMessageSize());
        ext.add("8BITMIME");
        ext.add("SMTPUTF8");
        ext.add("DSN");
        ext.add("ENHANCEDSTATUSCODES");
        if (!tls) {
            ext.add("STARTTLS");
        } else {
            ext.add("AUTH PLAIN LOGIN");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ext.size(); i++) {
            sb.append("250").append(i == ext.size() - 1 ? ' ' : '-').append(ext.get(i)).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private boolean startTls() throws IOException {
        if (tls) {
            error("503 5.5.1 TLS already active");
            return true;
        }
        reply("220 2.0.0 Ready to start TLS");
        // anything pipelined after STARTTLS stays in the old buffer and is thrown away here
        SSLSocket ssl = (SSLSocket) tlsContext.get().getSocketFactory().createSocket(socket, null, socket.getPort(), false);
        ssl.setUseClientMode(false);
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            LOG.debugf("TLS handshake with %s failed: %s", clientIp, e.getMessage());
            return false;
        }
        attach(ssl);
        tls = true;
        helo = null;
        user = null;
        resetTransaction();
        return true;
    }

    private void auth(String arg) throws IOException {
        if (!tls) {
            error("530 5.7.0 Must issue a STARTTLS command first");
            return;
        }
        if (user != null) {
            error("503 5.5.1 Already authenticated");
            return;
        }
        if (sender != null) {
            error("503 5.5.1 AUTH not allowed during a mail transaction");
            return;
        }
        String[] parts = arg.split(" ", 2);
        String mech = parts[0].toUpperCase(Locale.ROOT);
        String username;
        String password;
        try {
            if (mech.equals("PLAIN")) {
                String resp = parts.length > 1 ? parts[1] : challenge("");
                if (resp == null) {
                    return;
                }
                String[] f = new String(Base64.getDecoder().decode(resp), StandardCharsets.UTF_8).split("\0", -1);
                if (f.length != 3) {
                    error("501 5.5.2 Malformed PLAIN response");
                    return;
                }
                if (!f[0].isEmpty() && !f[0].equalsIgnoreCase(f[1])) {
                    error("535 5.7.8 Authorization identity must match the user");
                    return;
                }
                username = f[1];
                password = f[2];
            } else if (mech.equals("LOGIN")) {
                String u = parts.length > 1 ? parts[1] : challenge("VXNlcm5hbWU6");
                if (u == null) {
                    return;
                }
                String p = challenge("UGFzc3dvcmQ6");
                if (p == null) {
                    return;
                }
                username = new String(Base64.getDecoder().decode(u), StandardCharsets.UTF_8);
                password = new String(Base64.getDecoder().decode(p), StandardCharsets.UTF_8);
            } else {
                error("504 5.5.4 Unrecognized authentication mechanism");
                return;
            }
        } catch (IllegalArgumentException e) {
            error("501 5.5.2 Invalid base64 data");
            return;
        }
        switch (s.auth().login(username, password, clientIp)) {
            case OK -> {
                user = Authenticator.account(username);
                reply("235 2.7.0 Authentication successful");
            }
            case THROTTLED -> error("454 4.7.0 Too many failed logins, try again later");
            case BAD_CREDENTIALS -> error("535 5.7.8 Authentication credentials invalid");
        }
    }

    /** Sends a 334 challenge and reads the answer; null when the client cancelled with "*". */
    private String challenge(String c) throws IOException {
        reply("334 " + c);
        String line = readLine(MAX_LINE);
        if (line == null || line.equals("*")) {
            error("501 5.7.0 Authentication cancelled");
            return null;
        }
        return line.trim();
    }

    private void mail(String arg) throws IOException {
        if (user == null) {
            error(tls ? "530 5.7.0 Authentication required" : "530 5.7.0 Must issue a STARTTLS command first");
            return;
        }
        if (sender != null) {
            error("503 5.5.1 Sender already specified");
            return;
        }
        MailParameters p;
        try {
            p = SmtpSyntax.mailFrom("MAIL " + arg, syntax, tls);
        } catch (SmtpSyntax.SyntaxException ex) {
            error(ex.reply());
            return;
        }
        if (p.size() > s.maxMessageSize()) {
            error("552 5.3.4 Message size exceeds fixed limit");
            return;
        }
        if (p.nullSender() || !mayUse(p.address())) {
            error("550 5.7.1 Sender address <" + p.address() + "> does not belong to user " + user);
            return;
        }
        if (!s.limits().allowed(user)) {
            error("451 4.7.1 Sending rate limit exceeded, try again later");
            return;
        }
        sender = p.address();
        ret = p.ret();
        envid = p.envelopeId();
        smtputf8 = p.smtpUtf8();
        eightBitBody = "8BITMIME".equals(p.body());
        reply("250 2.1.0 Ok");
    }

    private void rcpt(String arg) throws IOException {
        if (sender == null) {
            error("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        RcptParameters p;
        try {
            p = SmtpSyntax.rcptTo("RCPT " + arg, syntax);
        } catch (SmtpSyntax.SyntaxException ex) {
            error(ex.reply());
            return;
        }
        if (!validAddress(p.address())) {
            error("501 5.1.3 Bad recipient address syntax");
            return;
        }
        if (rcpts.size() >= s.maxRecipients()) {
            reply("452 4.5.3 Too many recipients");
            return;
        }
        String notify = p.notifyOn().isEmpty() ? null : String.join(",", p.notifyOn().stream().map(Enum::name).sorted(
                java.util.Comparator.comparingInt(n -> List.of("NEVER", "SUCCESS", "FAILURE", "DELAY").indexOf(n))).toList());
        String orcpt = p.originalRecipient();
        String addr = canonicalDomain(p.address());
        if (rcptSet.add(addr.toLowerCase(Locale.ROOT))) {
            rcpts.add(RecipientState.pending(addr, orcpt, notify));
        }
        reply("250 2.1.5 Ok");
    }

    private void data() throws IOException {
        if (sender == null) {
            error("503 5.5.1 Need MAIL command");
            return;
        }
        if (rcpts.isEmpty()) {
            error("554 5.5.1 No valid recipients");
            return;
        }
        reply("354 End data with <CR><LF>.<CR><LF>");
        SmtpDataReader.Result d;
        try {
            d = dataReader.read(in);
        } catch (SmtpDataReader.AbortException ex) {
            reply(ex.code() + " " + ex.text());
            throw ex;
        }
        if (!d.accepted()) {
            resetTransaction();
            switch (d.violation()) {
                case TOO_BIG -> error("552 5.3.4 Message size exceeds fixed limit");
                case BARE_LINE_END -> error("554 5.6.0 Bare CR or LF in message; lines must end with CRLF");
                default -> error("554 5.6.0 Line longer than 998 characters");
            }
            return;
        }
        byte[] msg = d.message();
        MessagePreparer.Parsed parsed = MessagePreparer.parse(msg);
        List<String> from = MessagePreparer.fromAddresses(parsed);
        if (from.isEmpty()) {
            resetTransaction();
            error("550 5.7.1 Message has no valid From: header");
            return;
        }
        for (String f : from) {
            if (!mayUse(f)) {
                resetTransaction();
                error("550 5.7.1 From: address <" + f + "> does not belong to user " + user);
                return;
            }
        }
        // the other author fields: mail programs show them too ("on behalf of"), so they may name only the user
        for (String field : List.of("Sender", "Resent-From", "Resent-Sender")) {
            List<String> others = MessagePreparer.addresses(parsed, field);
            if (others == null) {
                resetTransaction();
                error("550 5.7.1 Malformed " + field + ": header");
                return;
            }
            for (String o : others) {
                if (!mayUse(o)) {
                    resetTransaction();
                    error("550 5.7.1 " + field + ": address <" + o + "> does not belong to user " + user);
                    return;
                }
            }
        }
        boolean eight = eightBitBody || DeliveryQueue.hasEightBit(msg);
        String id = Spool.newId();
        String received = receivedHeader(id);
        byte[] prepared = MessagePreparer.prepare(msg, parsed, s.hostname(), received);
        String fromDomain = from.get(0).substring(from.get(0).lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        byte[] signed = s.signer() == null ? prepared : s.signer().sign(prepared, fromDomain);
        QueuedMessage qm = new QueuedMessage(id, sender, envid, ret, smtputf8, eight, signed.length,
                s.queue().now(), null, rcpts);
        try {
            s.queue().submit(qm, signed);
        } catch (IOException e) {
            LOG.errorf("cannot spool message from %s: %s", user, e.getMessage());
            resetTransaction();
            reply("451 4.3.0 Cannot queue the message now, try again later");
            return;
        }
        s.limits().record(user);
        LOG.debugf("%s queued from <%s> for %d recipients", id, sender, rcpts.size());
        resetTransaction();
        reply("250 2.0.0 Ok: queued as " + id);
    }

    /** The trace field, without a "for" clause (it would reveal Bcc recipients). */
    private String receivedHeader(String id) {
        ReceivedHeader h = ReceivedHeader.builder().helo(helo).address(((InetSocketAddress) socket.getRemoteSocketAddress())
                .getAddress()).by(s.hostname()).software("Mail Room").esmtp(true).authenticated(true).smtpUtf8(smtputf8).id(id);
        if (socket instanceof SSLSocket ssl) {
            h.tls(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
        }
        String r = h.build();
        return r.endsWith("\r\n") ? r.substring(0, r.length() - 2) : r;
    }

    private boolean mayUse(String address) {
        EmailAddress a;
        try {
            a = EmailAddress.parse(address);
        } catch (InvalidInputException e) {
            return false;
        }
        if (a.toString().equals(user)) {
            return true;
        }
        return s.store().alias(a.toString()).map(al -> al.target().toString().equals(user)).orElse(false);
    }

    private static boolean validAddress(String a) {
        int at = a.lastIndexOf('@');
        return at > 0 && at < a.length() - 1 && a.length() <= 254 && a.indexOf(' ') < 0;
    }

    private static String canonicalDomain(String a) {
        int at = a.lastIndexOf('@');
        return a.substring(0, at) + "@" + a.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    private void resetTransaction() {
        sender = null;
        ret = null;
        envid = null;
        smtputf8 = false;
        eightBitBody = false;
        rcpts.clear();
        rcptSet.clear();
    }

    private void error(String r) throws IOException {
        errors++;
        reply(r);
    }

    private void reply(String r) throws IOException {
        out.write((r + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads a command line ending in CRLF (a bare LF is accepted for commands); null when too long (rest discarded). */
    private String readLine(int max) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean tooLong = false;
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                if (tooLong) {
                    return null;
                }
                byte[] b = buf.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.UTF_8);
            }
            if (buf.size() >= max) {
                tooLong = true;
            } else {
                buf.write(c);
            }
        }
        throw new IOException("connection closed");
    }
}
