package io.mailroom.outbox.submission;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.dsn.Xtext;
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
import java.time.Instant;
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
            SendLimits limits, long maxMessageSize, int maxRecipients, MessageSigner signer) {}

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
            switch (verb) {
                case "EHLO", "HELO" -> hello(verb, arg);
                case "STARTTLS" -> {
                    if (!startTls()) {
                        return;
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
                    return;
                }
                case "BDAT" -> error("502 5.5.1 CHUNKING not supported");
                default -> error("500 5.5.2 Command not recognized");
            }
            if (errors > MAX_ERRORS) {
                reply("421 4.7.0 Too many errors, closing");
                return;
            }
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
                user = username.trim().toLowerCase(Locale.ROOT);
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
        if (!arg.toUpperCase(Locale.ROOT).startsWith("FROM:")) {
            error("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        Path p = path(arg.substring(5));
        if (p == null) {
            error("501 5.1.7 Bad sender address syntax");
            return;
        }
        String r = null;
        String e = null;
        boolean utf8 = false;
        boolean eight = false;
        for (String param : p.params) {
            String k = param.contains("=") ? param.substring(0, param.indexOf('=')).toUpperCase(Locale.ROOT) : param.toUpperCase(Locale.ROOT);
            String v = param.contains("=") ? param.substring(param.indexOf('=') + 1) : null;
            switch (k) {
                case "SIZE" -> {
                    try {
                        if (v == null || Long.parseLong(v) > s.maxMessageSize()) {
                            error("552 5.3.4 Message size exceeds fixed limit");
                            return;
                        }
                    } catch (NumberFormatException ex) {
                        error("501 5.5.4 Bad SIZE parameter");
                        return;
                    }
                }
                case "BODY" -> {
                    if (v == null || !(v.equalsIgnoreCase("7BIT") || v.equalsIgnoreCase("8BITMIME"))) {
                        error("501 5.5.4 Bad BODY parameter");
                        return;
                    }
                    eight = v.equalsIgnoreCase("8BITMIME");
                }
                case "SMTPUTF8" -> utf8 = true;
                case "RET" -> {
                    if (v == null || !(v.equalsIgnoreCase("FULL") || v.equalsIgnoreCase("HDRS"))) {
                        error("501 5.5.4 Bad RET parameter");
                        return;
                    }
                    r = v.toUpperCase(Locale.ROOT);
                }
                case "ENVID" -> {
                    try {
                        e = Xtext.decode(v == null ? "" : v);
                    } catch (IllegalArgumentException ex) {
                        error("501 5.5.4 Bad ENVID parameter");
                        return;
                    }
                    if (e.length() > 100) {
                        error("501 5.5.4 ENVID too long");
                        return;
                    }
                }
                case "AUTH" -> { }
                default -> {
                    error("555 5.5.4 Unsupported parameter " + k);
                    return;
                }
            }
        }
        if (p.address.isEmpty() || !mayUse(p.address)) {
            error("550 5.7.1 Sender address <" + p.address + "> does not belong to user " + user);
            return;
        }
        if (!s.limits().allowed(user)) {
            error("451 4.7.1 Sending rate limit exceeded, try again later");
            return;
        }
        sender = p.address;
        ret = r;
        envid = e;
        smtputf8 = utf8;
        eightBitBody = eight;
        reply("250 2.1.0 Ok");
    }

    private void rcpt(String arg) throws IOException {
        if (sender == null) {
            error("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        if (!arg.toUpperCase(Locale.ROOT).startsWith("TO:")) {
            error("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        Path p = path(arg.substring(3));
        if (p == null || p.address.isEmpty() || !validAddress(p.address)) {
            error("501 5.1.3 Bad recipient address syntax");
            return;
        }
        if (rcpts.size() >= s.maxRecipients()) {
            reply("452 4.5.3 Too many recipients");
            return;
        }
        String notify = null;
        String orcpt = null;
        for (String param : p.params) {
            String k = param.contains("=") ? param.substring(0, param.indexOf('=')).toUpperCase(Locale.ROOT) : param.toUpperCase(Locale.ROOT);
            String v = param.contains("=") ? param.substring(param.indexOf('=') + 1) : "";
            switch (k) {
                case "NOTIFY" -> {
                    String n = v.toUpperCase(Locale.ROOT);
                    if (!n.matches("NEVER|(SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*")) {
                        error("501 5.5.4 Bad NOTIFY parameter");
                        return;
                    }
                    notify = n;
                }
                case "ORCPT" -> {
                    try {
                        orcpt = Xtext.decode(v);
                    } catch (IllegalArgumentException ex) {
                        error("501 5.5.4 Bad ORCPT parameter");
                        return;
                    }
                    if (!orcpt.contains(";") || orcpt.length() > 500) {
                        error("501 5.5.4 Bad ORCPT parameter");
                        return;
                    }
                }
                default -> {
                    error("555 5.5.4 Unsupported parameter " + k);
                    return;
                }
            }
        }
        String addr = canonicalDomain(p.address);
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
        Data d = readData(s.maxMessageSize());
        if (d.tooBig) {
            resetTransaction();
            error("552 5.3.4 Message size exceeds fixed limit");
            return;
        }
        if (d.bareLineEnd) {
            resetTransaction();
            error("554 5.6.0 Bare CR or LF in message; lines must end with CRLF");
            return;
        }
        if (d.eof) {
            throw new IOException("connection closed during DATA");
        }
        byte[] msg = d.bytes;
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
        boolean eight = eightBitBody || hasEightBit(msg);
        String id = Spool.newId();
        String received = MessagePreparer.received(helo, clientIp, s.hostname(), "ESMTPSA", id);
        byte[] prepared = MessagePreparer.prepare(msg, parsed, s.hostname(), received);
        String fromDomain = from.get(0).substring(from.get(0).lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        byte[] signed = s.signer() == null ? prepared : s.signer().sign(prepared, fromDomain);
        QueuedMessage qm = new QueuedMessage(id, sender, envid, ret, smtputf8, eight, signed.length, Instant.now(),
                Instant.now(), rcpts);
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

    private record Path(String address, List<String> params) {}

    private static Path path(String s) {
        String t = s.trim();
        if (!t.startsWith("<")) {
            return null;
        }
        int end = t.indexOf('>');
        if (end < 0) {
            return null;
        }
        String addr = t.substring(1, end);
        if (addr.startsWith("@")) {
            int colon = addr.indexOf(':');
            if (colon < 0) {
                return null;
            }
            addr = addr.substring(colon + 1); // source route, ignored (RFC 5321 §4.1.2)
        }
        if (addr.contains("<") || addr.contains("\"") && !addr.matches("\"[^\"]*\"@.*")) {
            return null;
        }
        List<String> params = new ArrayList<>();
        for (String p : t.substring(end + 1).trim().split("\\s+")) {
            if (!p.isEmpty()) {
                params.add(p);
            }
        }
        return new Path(addr, params);
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

    private record Data(byte[] bytes, boolean tooBig, boolean bareLineEnd, boolean eof) {}

    /**
     * Reads the message up to CRLF.CRLF, removing dot-stuffing. Only CRLF counts as a line end; a
     * bare CR or LF is noted (and the message refused), never treated as the end.
     */
    private Data readData(long max) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
        boolean tooBig = false;
        boolean bare = false;
        boolean lineStart = true;
        int prev = -1;
        // state: at line start, having seen "." ?
        while (true) {
            int c = in.read();
            if (c == -1) {
                return new Data(null, tooBig, bare, true);
            }
            if (lineStart && c == '.') {
                int n = in.read();
                if (n == '\r') {
                    int n2 = in.read();
                    if (n2 == '\n') {
                        return new Data(buf.toByteArray(), tooBig, bare, false);
                    }
                    bare = true;
                    if (n2 == -1) {
                        return new Data(null, tooBig, bare, true);
                    }
                    c = n2; // "." CR x: keep going with x
                    write(buf, '\r', max);
                } else if (n == -1) {
                    return new Data(null, tooBig, bare, true);
                } else {
                    c = n; // dot-stuffed: drop the first dot
                }
            }
            if (c == '\n' && prev != '\r') {
                bare = true;
            }
            if (prev == '\r' && c != '\n') {
                bare = true;
            }
            if (!write(buf, c, max)) {
                tooBig = true;
            }
            lineStart = c == '\n' && prev == '\r';
            prev = c;
        }
    }

    private static boolean write(ByteArrayOutputStream buf, int c, long max) {
        if (buf.size() >= max) {
            return false;
        }
        buf.write(c);
        return true;
    }

    private static boolean hasEightBit(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return true;
            }
        }
        return false;
    }
}
