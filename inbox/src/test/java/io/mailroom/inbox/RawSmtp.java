package io.mailroom.inbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SMTP client that writes exactly the bytes it is given (NUL, bare CR, 8-bit), for what an
 * attacker sends and swaks cannot: every reply is read in full, nothing is retried.
 */
final class RawSmtp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawSmtp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The whole next reply (all its lines), or null when the server closed the connection. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = line();
            if (l == null) {
                return lines.isEmpty() ? null : String.join("\n", lines);
            }
            lines.add(l);
            if (l.length() < 4 || l.charAt(3) != '-') {
                return String.join("\n", lines);
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one command line (CRLF appended) and returns the reply. */
    String command(String line) throws IOException {
        return command(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    String command(byte[] line) throws IOException {
        out.write(line);
        out.write(new byte[] {'\r', '\n'});
        out.flush();
        return reply();
    }

    /**
     * One whole transaction after the greeting and EHLO; returns the reply to the end of data (or
     * the first refusal before it).
     */
    String transaction(String mailFrom, String rcptTo, byte[] message) throws IOException {
        String r = command("MAIL FROM:<" + mailFrom + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        r = command("RCPT TO:<" + rcptTo + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        r = command("DATA");
        if (!r.startsWith("354")) {
            return r;
        }
        out.write(message);
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    /** Connects, reads the greeting and says EHLO. */
    static RawSmtp open(int port) throws IOException {
        RawSmtp s = new RawSmtp(port);
        String greeting = s.reply();
        if (greeting == null || !greeting.startsWith("220")) {
            s.close();
            throw new IOException("no greeting: " + greeting);
        }
        String ehlo = s.command("EHLO client.example.com");
        if (!ehlo.startsWith("250")) {
            s.close();
            throw new IOException("EHLO refused: " + ehlo);
        }
        return s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
