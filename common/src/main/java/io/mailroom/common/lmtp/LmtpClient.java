package io.mailroom.common.lmtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An LMTP client (RFC 2033) for delivery into Dovecot. LMTP answers DATA once per accepted
 * recipient, which is what lets the Inbox mirror Dovecot's verdict per recipient. One instance
 * is one connection; not thread-safe.
 */
public final class LmtpClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SmtpReplyReader replies;

    private LmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.replies = new SmtpReplyReader(in, "LMTP server " + socket.getRemoteSocketAddress());
    }

    /** Connects and exchanges greeting and LHLO; throws {@link LmtpException} on a refusal. */
    public static LmtpClient connect(String host, int port, String clientName, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            LmtpClient c = new LmtpClient(s);
            c.expect(c.readReply(), "greeting");
            c.expect(c.command("LHLO " + clientName), "LHLO");
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Delivers one message to several recipients and returns one reply per recipient, in order.
     * A recipient refused at RCPT keeps that reply; the others get their reply to DATA.
     *
     * @param message the message with CRLF line ends, not dot-stuffed
     */
    public List<SmtpReply> deliver(String mailFrom, List<String> recipients, byte[] message) throws IOException {
        requireOneLine(mailFrom);
        recipients.forEach(LmtpClient::requireOneLine);
        expect(command("MAIL FROM:<" + mailFrom + ">"), "MAIL FROM");
        List<SmtpReply> replies = new ArrayList<>();
        List<Integer> accepted = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            SmtpReply r = command("RCPT TO:<" + recipients.get(i) + ">");
            replies.add(r);
            if (r.positive()) {
                accepted.add(i);
            }
        }
        if (accepted.isEmpty()) {
            command("RSET");
            return replies;
        }
        SmtpReply data = command("DATA");
        if (data.code() != 354) {
            for (int i : accepted) {
                replies.set(i, data);
            }
            return replies;
        }
        DotStuffing.write(out, message);
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (int i : accepted) {
            replies.set(i, readReply());
        }
        return replies;
    }

    public void quit() {
        try {
            command("QUIT");
        } catch (IOException | RuntimeException ignored) {
            // the server may close first
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private SmtpReply command(String line) throws IOException {
        requireOneLine(line);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readReply();
    }

    /** An address with a line break would smuggle further commands into the session: refused before sending. */
    private static void requireOneLine(String argument) {
        if (argument.indexOf('\r') >= 0 || argument.indexOf('\n') >= 0 || argument.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("LMTP command argument with a line break or NUL");
        }
    }

    private void expect(SmtpReply reply, String step) throws LmtpException {
        if (!reply.positive()) {
            throw new LmtpException(step, reply);
        }
    }

    private SmtpReply readReply() throws IOException {
        return replies.read();
    }
}
