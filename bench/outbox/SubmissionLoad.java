import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Submission load for bench/outbox.sh: C connections, each EHLO + STARTTLS + EHLO (+ AUTH PLAIN
 * when a user is given), then messages over the same connection until M are sent in total.
 * Usage: java SubmissionLoad host port messages connections size from to sinkdir [user password]
 * Prints "submitted N in MS ms delivered D in MS ms": the time to submit all, and the time from
 * the first connection until the sink directory holds a file for every submitted message.
 */
public class SubmissionLoad {
    public static void main(String[] a) throws Exception {
        String host = a[0];
        int port = Integer.parseInt(a[1]);
        int messages = Integer.parseInt(a[2]);
        int connections = Integer.parseInt(a[3]);
        int size = Integer.parseInt(a[4]);
        String from = a[5];
        String to = a[6];
        java.nio.file.Path sink = java.nio.file.Path.of(a[7]);
        String user = a.length > 8 ? a[8] : null;
        String password = a.length > 9 ? a[9] : null;
        StringBuilder body = new StringBuilder();
        while (body.length() < size) {
            body.append("The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstuvwxyz\r\n");
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    run(host, port, from, to, user, password, body.toString(), messages, next, ok);
                } catch (Exception e) {
                    System.err.println("connection failed: " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long deadline = System.nanoTime() + 300_000_000_000L;
        int delivered = 0;
        while (System.nanoTime() < deadline) {
            try (var files = java.nio.file.Files.list(sink)) {
                delivered = (int) files.filter(f -> f.getFileName().toString().startsWith("msg")).count();
            }
            if (delivered >= ok.get()) {
                break;
            }
            Thread.sleep(20);
        }
        long all = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("submitted " + ok.get() + " in " + ms + " ms delivered " + delivered + " in " + all + " ms");
    }

    static void run(String host, int port, String from, String to, String user, String password, String body,
            int messages, AtomicInteger next, AtomicInteger ok) throws Exception {
        Socket s = new Socket(host, port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(120_000);
        Conn c = new Conn(s);
        c.expect(c.reply(), 220);
        c.expect(c.cmd("EHLO load.test"), 250);
        c.expect(c.cmd("STARTTLS"), 220);
        SSLSocket ssl = (SSLSocket) trustAll().getSocketFactory().createSocket(s, host, port, true);
        ssl.startHandshake();
        c = new Conn(ssl);
        String ehlo = c.cmd("EHLO load.test");
        c.expect(ehlo, 250);
        if (user != null && ehlo.contains("AUTH")) {
            c.expect(c.cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8))), 235);
        }
        int i;
        while ((i = next.getAndIncrement()) < messages) {
            c.expect(c.cmd("MAIL FROM:<" + from + ">"), 250);
            c.expect(c.cmd("RCPT TO:<" + to.replace("%d", String.valueOf(i % 50)) + ">"), 250);
            c.expect(c.cmd("DATA"), 354);
            String r = c.cmd("From: <" + from + ">\r\nTo: <" + to.replace("%d", String.valueOf(i % 50))
                    + ">\r\nSubject: load " + i + "\r\nMessage-ID: <load-" + i + "-" + System.nanoTime() + "@load.test>\r\n\r\n"
                    + body + ".");
            c.expect(r, 250);
            ok.incrementAndGet();
        }
        c.cmd("QUIT");
        ssl.close();
    }

    static final class Conn {
        final InputStream in;
        final OutputStream out;

        Conn(Socket s) throws IOException {
            in = new BufferedInputStream(s.getInputStream());
            out = s.getOutputStream();
        }

        String cmd(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply();
        }

        String reply() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int ch;
                while ((ch = in.read()) != -1 && ch != '\n') {
                    b.write(ch);
                }
                String l = b.toString(StandardCharsets.UTF_8).replace("\r", "");
                sb.append(l).append('\n');
                if (ch == -1 || l.length() < 4 || l.charAt(3) == ' ') {
                    return sb.toString();
                }
            }
        }

        void expect(String reply, int code) throws IOException {
            if (!reply.startsWith(String.valueOf(code))) {
                throw new IOException("expected " + code + ", got " + reply.trim());
            }
        }
    }

    static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String x) {}

            public void checkServerTrusted(X509Certificate[] c, String x) {}

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return ctx;
    }
}
