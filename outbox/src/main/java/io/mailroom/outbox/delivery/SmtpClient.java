package io.mailroom.outbox.delivery;

import io.mailroom.common.lmtp.DotStuffing;
import io.mailroom.common.lmtp.SmtpReply;
import io.mailroom.common.lmtp.SmtpReplyReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One outgoing SMTP connection (RFC 5321) to a remote MX: greeting, EHLO, optional STARTTLS,
 * and transactions. Replies are read by {@link SmtpReplyReader} (line and line-count limits); not
 * thread-safe.
 */
public final class SmtpClient implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private SmtpReplyReader replies;
    private final String host;
    private final String clientName;
    private final Map<String, String> extensions = new HashMap<>();
    private boolean tls;
    private long lastUsed = System.nanoTime();

    private SmtpClient(Socket s, String host, String clientName) throws IOException {
        this.host = host;
        this.clientName = clientName;
        attach(s);
    }

    private void attach(Socket s) throws IOException {
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
        replies = new SmtpReplyReader(in, host);
    }

    /** Connects, reads the greeting and says EHLO. Throws {@link SmtpException} on a refusal. */
    public static SmtpClient connect(InetSocketAddress address, String host, String clientName, int connectTimeoutMs,
            int readTimeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, connectTimeoutMs);
            s.setSoTimeout(readTimeoutMs);
            SmtpClient c = new SmtpClient(s, host, clientName);
            c.expect(c.readReply(), "greeting");
            c.ehlo();
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void ehlo() throws IOException {
        extensions.clear();
        SmtpReply r = command("EHLO " + clientName);
        if (!r.positive()) {
            expect(command("HELO " + clientName), "HELO");
            return;
        }
        for (int i = 1; i < r.lines().size(); i++) {
            String l = r.lines().get(i).trim();
            int sp = l.indexOf(' ');
            extensions.put((sp < 0 ? l : l.substring(0, sp)).toUpperCase(Locale.ROOT), sp < 0 ? "" : l.substring(sp + 1));
        }
    }

    public boolean supports(String extension) {
        return extensions.containsKey(extension.toUpperCase(Locale.ROOT));
    }

    /** The SIZE limit the server announced, or 0 for none. */
    public long sizeLimit() {
        try {
            return Long.parseLong(extensions.getOrDefault("SIZE", "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean isTls() {
        return tls;
    }

    public String host() {
        return host;
    }

    /**
     * Upgrades with STARTTLS (RFC 3207) and repeats EHLO.
     *
     * @param verifyHost the name the certificate must match, or null to accept any certificate
     *                   (opportunistic TLS, where the SSLContext trusts all)
     */
    public void startTls(SSLContext context, String verifyHost) throws IOException {
        expect(command("STARTTLS"), "STARTTLS");
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket,
                verifyHost != null ? verifyHost : host, socket.getPort(), true);
        ssl.setUseClientMode(true);
        if (verifyHost != null) {
            SSLParameters p = ssl.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(p);
        }
        ssl.startHandshake();
        attach(ssl);
        tls = true;
        ehlo();
    }

    public SmtpReply mail(String sender, String params) throws IOException {
        return command("MAIL FROM:<" + sender + ">" + (params.isEmpty() ? "" : " " + params));
    }

    public SmtpReply rcpt(String recipient, String params) throws IOException {
        return command("RCPT TO:<" + recipient + ">" + (params.isEmpty() ? "" : " " + params));
    }

    /** DATA, the dot-stuffed message and the final reply; returns the 354 refusal if any. */
    public SmtpReply data(byte[] message) throws IOException {
        SmtpReply r = command("DATA");
        if (r.code() != 354) {
            return r;
        }
        DotStuffing.write(out, message);
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        SmtpReply done = readReply();
        lastUsed = System.nanoTime();
        return done;
    }

    /** RSET for reuse of the connection; false when the connection is no longer usable. */
    public boolean reset() {
        try {
            return command("RSET").positive();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public long idleNanos() {
        return System.nanoTime() - lastUsed;
    }

    public void quit() {
        try {
            command("QUIT");
        } catch (IOException | RuntimeException ignored) {
            // the server may have closed first
        }
        closeQuietly();
    }

    public void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    SmtpReply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readReply();
    }

    private void expect(SmtpReply r, String step) throws SmtpException {
        if (!r.positive()) {
            throw new SmtpException(step, r);
        }
    }

    SmtpReply readReply() throws IOException {
        return replies.read();
    }

    /** A refusal during connection setup (greeting, EHLO, STARTTLS). */
    public static final class SmtpException extends IOException {
        private final SmtpReply reply;

        public SmtpException(String step, SmtpReply reply) {
            super(step + " refused: " + reply);
            this.reply = reply;
        }

        public SmtpReply reply() {
            return reply;
        }
    }
}
