package io.mailroom.outbox.peers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A hand-driven SMTP client over implicit TLS (port 465), for protocol-level checks. */
public final class RawSubmission implements AutoCloseable {
    private final Socket socket;
    private InputStream in;
    private OutputStream out;

    public RawSubmission(int port, boolean implicitTls) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        if (implicitTls) {
            SSLSocket ssl = (SSLSocket) trustAll().getSocketFactory().createSocket(s, "127.0.0.1", port, true);
            ssl.startHandshake();
            s = ssl;
        }
        s.setSoTimeout(20_000);
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
        reply();
    }

    public static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {}

            public void checkServerTrusted(X509Certificate[] c, String a) {}

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return ctx;
    }

    public String login(String user, String password) throws IOException {
        cmd("EHLO client.test");
        return cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends a command line and returns the full reply (last line first three chars = code). */
    public String cmd(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public String reply() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                b.write(c);
            }
            String l = b.toString(StandardCharsets.UTF_8).replace("\r", "");
            sb.append(l).append('\n');
            if (c == -1 || l.length() < 4 || l.charAt(3) == ' ') {
                return sb.toString();
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
