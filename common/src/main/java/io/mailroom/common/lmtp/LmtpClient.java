package io.mailroom.common.lmtp;

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
import java.util.List;

/**
 * An LMTP client (RFC 2033) for delivery into Dovecot. LMTP answers DATA once per accepted
 * recipient, which is what lets the Inbox mirror Dovecot's verdict per recipient. One instance
 * is one connection; not thread-safe.
 */
public final class LmtpClient implements AutoCloseable {
    private static final int MAX_REPLY_LINE = 4096;
    private static final int MAX_REPLY_LINES = 100;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private LmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
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
        writeDotStuffed(message);
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

    private void writeDotStuffed(byte[] message) throws IOException {
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
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
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (lines.size() < MAX_REPLY_LINES) {
            String line = readLine();
            if (line.length() < 3) {
                throw new IOException("malformed LMTP reply: " + line.replaceAll("\\p{Cntrl}", "?"));
            }
            if (!line.substring(0, 3).chars().allMatch(c -> c >= '0' && c <= '9')
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("malformed LMTP reply: " + line.replaceAll("\\p{Cntrl}", "?"));
            }
            code = Integer.parseInt(line.substring(0, 3));
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new SmtpReply(code, lines);
            }
        }
        throw new IOException("LMTP reply longer than " + MAX_REPLY_LINES + " lines");
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = buf.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.UTF_8);
            }
            if (buf.size() >= MAX_REPLY_LINE) {
                throw new IOException("LMTP reply line too long");
            }
            buf.write(c);
        }
        throw new IOException("LMTP server closed the connection");
    }
}
