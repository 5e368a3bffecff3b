package io.mailroom.outbox.submission;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.jboss.logging.Logger;

/**
 * A submission listener (RFC 6409): port 587 with STARTTLS or port 465 with implicit TLS (RFC
 * 8314). One virtual thread per connection; a cap on concurrent connections.
 */
public final class SubmissionServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SubmissionServer.class);

    private final ServerSocket server;
    private final boolean implicitTls;
    private final Supplier<SSLContext> tls;
    private final SubmissionSession.Services services;
    private final Semaphore connections;
    private final Thread acceptor;
    private volatile boolean running = true;

    public SubmissionServer(InetAddress bind, int port, boolean implicitTls, Supplier<SSLContext> tls,
            SubmissionSession.Services services, int maxConnections) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bind, port), 200);
        this.implicitTls = implicitTls;
        this.tls = tls;
        this.services = services;
        this.connections = new Semaphore(maxConnections);
        this.acceptor = Thread.ofVirtual().name("submission-accept-" + port).start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (running) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (running) {
                    LOG.warnf("accept failed: %s", e.getMessage());
                }
                continue;
            }
            if (!connections.tryAcquire()) {
                Thread.ofVirtual().start(() -> refuse(s));
                continue;
            }
            Thread.ofVirtual().name("submission-" + s.getRemoteSocketAddress()).start(() -> {
                try {
                    Socket conn = s;
                    if (implicitTls) {
                        conn = wrap(s);
                    }
                    new SubmissionSession(conn, implicitTls, tls, services).run();
                } catch (IOException e) {
                    LOG.debugf("connection from %s: %s", s.getRemoteSocketAddress(), e.getMessage());
                } catch (RuntimeException e) {
                    LOG.errorf(e, "submission session from %s failed", s.getRemoteSocketAddress());
                } finally {
                    connections.release();
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closed already
                    }
                }
            });
        }
    }

    private Socket wrap(Socket s) throws IOException {
        s.setSoTimeout(30_000);
        SSLSocket ssl = (SSLSocket) tls.get().getSocketFactory().createSocket(s, null, s.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return ssl;
    }

    private static void refuse(Socket s) {
        try (s) {
            s.getOutputStream().write("421 4.7.0 Too many connections, try later\r\n".getBytes());
        } catch (IOException ignored) {
            // gone
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
        acceptor.interrupt();
    }
}
