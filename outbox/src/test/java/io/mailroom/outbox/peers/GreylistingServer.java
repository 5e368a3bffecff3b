package io.mailroom.outbox.peers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A small SMTP receiver that plays a remote site's greylisting policy: the first RCPT of each
 * (sender, recipient) pair gets {@code 451 4.7.1}, later ones are accepted; recipients whose
 * local part starts with {@code busy} always get {@code 452 4.2.2}. Received messages
 * are kept in memory with their envelope.
 */
public final class GreylistingServer implements AutoCloseable {
    public record Received(String mailFrom, List<String> rcpts, String data) {}

    private final ServerSocket server;
    private final Set<String> seen = Collections.synchronizedSet(new HashSet<>());
    public final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    public volatile int greylisted;

    public GreylistingServer(String address, int port) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> session(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void session(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            write(out, "220 grey.example.org ESMTP");
            String from = null;
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                String u = line.toUpperCase();
                if (u.startsWith("EHLO")) {
                    write(out, "250-grey.example.org\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10000000");
                } else if (u.startsWith("MAIL FROM:")) {
                    from = line.substring(10).trim();
                    rcpts.clear();
                    write(out, "250 2.1.0 Ok");
                } else if (u.startsWith("RCPT TO:")) {
                    String r = line.substring(8).trim();
                    if (r.startsWith("<busy")) {
                        write(out, "452 4.2.2 Mailbox full, try again later");
                    } else if (seen.add(from + " " + r)) {
                        greylisted++;
                        write(out, "451 4.7.1 Greylisted, please try again later");
                    } else {
                        rcpts.add(r);
                        write(out, "250 2.1.5 Ok");
                    }
                } else if (u.equals("DATA")) {
                    write(out, "354 go ahead");
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    String l;
                    while ((l = readLine(in)) != null && !l.equals(".")) {
                        data.writeBytes((l.startsWith(".") ? l.substring(1) : l).getBytes(StandardCharsets.UTF_8));
                        data.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    received.add(new Received(from, List.copyOf(rcpts), data.toString(StandardCharsets.UTF_8)));
                    write(out, "250 2.0.0 Ok: queued");
                } else if (u.equals("RSET")) {
                    from = null;
                    rcpts.clear();
                    write(out, "250 2.0.0 Ok");
                } else if (u.equals("QUIT")) {
                    write(out, "221 2.0.0 Bye");
                    return;
                } else {
                    write(out, "250 2.0.0 Ok");
                }
            }
        } catch (IOException ignored) {
            // client went away
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write((s + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (b.size() > 100_000) {
                throw new IOException("line too long");
            }
            b.write(c);
        }
        return null;
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
