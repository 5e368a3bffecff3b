package io.mailroom.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a real server that can misbehave on command, the way a
 * network or an overloaded peer does: delay the server's answers, stall in the middle of a
 * stream, or reset connections after some bytes of a request. Hand-written because the faults
 * must be switched inside one running test, between and during transactions.
 */
public final class FaultProxy implements AutoCloseable {
    /** What happens to bytes going through. */
    public enum Mode {
        /** Forward both ways (after {@link #replyDelay}). */
        FORWARD,
        /** Forward nothing more, keep every connection open: a peer that hangs. */
        STALL,
        /** Forward {@link #resetAfter} bytes of each client's request, then RST both sides. */
        RESET
    }

    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private volatile Mode mode = Mode.FORWARD;
    private volatile long resetAfter;
    private volatile Duration replyDelay = Duration.ZERO;

    public FaultProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofVirtual().name("fault-proxy-" + listener.getLocalPort()).start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    public FaultProxy mode(Mode m) {
        this.mode = m;
        return this;
    }

    /** In {@link Mode#RESET}: how many request bytes of a connection still go through. */
    public FaultProxy resetAfter(long bytes) {
        this.resetAfter = bytes;
        return this;
    }

    /** Each chunk from the server waits this long: a slow peer whose transactions stay open. */
    public FaultProxy replyDelay(Duration d) {
        this.replyDelay = d;
        return this;
    }

    /** Client connections open right now. */
    public int openConnections() {
        return open.size() / 2;
    }

    /** Client connections accepted since the start. */
    public long connections() {
        return connections.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> connect(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(Socket client) {
        Socket server = new Socket();
        try {
            server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        open.add(client);
        open.add(server);
        Thread.ofVirtual().start(() -> pump(client, server, true));
        pump(server, client, false);
    }

    private void pump(Socket from, Socket to, boolean request) {
        byte[] buf = new byte[8192];
        long sent = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!request && !replyDelay.isZero()) {
                    Thread.sleep(replyDelay);
                }
                while (mode == Mode.STALL && !from.isClosed()) {
                    Thread.sleep(10);
                }
                if (mode == Mode.RESET && request) {
                    int pass = (int) Math.max(0, Math.min(n, resetAfter - sent));
                    out.write(buf, 0, pass);
                    out.flush();
                    if (pass < n) {
                        reset(from);
                        reset(to);
                        return;
                    }
                } else {
                    out.write(buf, 0, n);
                    out.flush();
                }
                sent += n;
            }
        } catch (IOException | InterruptedException e) {
            // one side went away: so does the other
        } finally {
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** SO_LINGER 0 makes close() send a RST instead of a FIN. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // nothing to do
        }
        open.forEach(FaultProxy::closeQuietly);
    }
}
