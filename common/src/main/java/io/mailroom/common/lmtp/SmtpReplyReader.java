package io.mailroom.common.lmtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP/LMTP replies (RFC 5321 §4.2) from a server's input: {@code 250-first}, ...,
 * {@code 250 last}. A peer controls what we read, so line length and line count are capped and a
 * malformed reply is an {@link IOException}, never a runtime exception: three digits, then a space,
 * a hyphen or the end of the line, and the same code on every line. Shared by
 * {@link LmtpClient} and the Outbox's SMTP client.
 */
public final class SmtpReplyReader {
    /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; extensions make some longer. */
    public static final int MAX_LINE = 4096;
    /** An EHLO reply has one line per extension; nobody needs a hundred. */
    public static final int MAX_LINES = 100;

    private final InputStream in;
    private final String peer;

    /**
     * @param in   the connection's input (buffered by the caller)
     * @param peer how to name the server in error messages, e.g. its host name
     */
    public SmtpReplyReader(InputStream in, String peer) {
        this.in = in;
        this.peer = peer;
    }

    /** Reads one complete reply, continuation lines included. */
    public SmtpReply read() throws IOException {
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (lines.size() < MAX_LINES) {
            String line = readLine();
            int lineCode = code(line);
            if (code != -1 && lineCode != code) {
                throw new IOException("malformed reply from " + peer + ": code changed from " + code + " to " + lineCode);
            }
            code = lineCode;
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new SmtpReply(code, lines);
            }
        }
        throw new IOException("reply from " + peer + " longer than " + MAX_LINES + " lines");
    }

    private int code(String line) throws IOException {
        if (line.length() < 3 || !digit(line.charAt(0)) || !digit(line.charAt(1)) || !digit(line.charAt(2))
                || line.charAt(0) < '2' || line.charAt(0) > '5'
                || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            throw new IOException("malformed reply from " + peer + ": " + printable(line));
        }
        return (line.charAt(0) - '0') * 100 + (line.charAt(1) - '0') * 10 + (line.charAt(2) - '0');
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A short, log-safe excerpt of a bad line (a peer's bytes must not forge log lines). */
    private static String printable(String line) {
        String s = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return s.replaceAll("[\\p{Cntrl}]", "?");
    }

    /** One line without its CRLF (a bare LF is tolerated as the end of a reply line). */
    private String readLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = buf.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.UTF_8);
            }
            if (buf.size() >= MAX_LINE) {
                throw new IOException("reply line from " + peer + " longer than " + MAX_LINE + " bytes");
            }
            buf.write(c);
        }
        throw new EOFException("connection closed by " + peer);
    }
}
