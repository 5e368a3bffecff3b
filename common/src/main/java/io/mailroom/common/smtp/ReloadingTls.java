package io.mailroom.common.smtp;

import io.mailroom.common.tls.PemTls;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server context read from PEM files (via {@link PemTls}) that follows the files: when the
 * certificate or key changes on disk (cert-manager renewal, a Secret update), the next handshake
 * uses the new pair. A broken new pair is logged and the previous one kept. Protocols are limited
 * to TLS 1.2 and 1.3 with the JDK's default cipher suites (no export/NULL/anon suites).
 */
public final class ReloadingTls {
    private static final Logger LOG = Logger.getLogger(ReloadingTls.class.getName());
    /** TLS 1.2+ only (RFC 8996 deprecates 1.0/1.1). */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
    private static final long CHECK_INTERVAL_MILLIS = 2_000;

    private final Path certificate;
    private final Path key;
    private volatile SSLContext context;
    private volatile String stamp;
    private volatile long lastCheck;

    /** Loads the pair now; throws {@link io.mailroom.common.MailRoomException} if it is unusable. */
    public ReloadingTls(Path certificate, Path key) {
        this.certificate = certificate;
        this.key = key;
        this.stamp = stamp();
        this.context = PemTls.serverContext(certificate, key);
        this.lastCheck = System.currentTimeMillis();
    }

    /** The current context, reloaded first if the files changed (checked at most every 2 s). */
    public SSLContext context() {
        long now = System.currentTimeMillis();
        if (now - lastCheck >= CHECK_INTERVAL_MILLIS) {
            reloadIfChanged(now);
        }
        return context;
    }

    private synchronized void reloadIfChanged(long now) {
        if (now - lastCheck < CHECK_INTERVAL_MILLIS) {
            return;
        }
        lastCheck = now;
        String current = stamp();
        if (current.equals(stamp)) {
            return;
        }
        try {
            context = PemTls.serverContext(certificate, key);
            stamp = current;
            LOG.info("TLS certificate reloaded from " + certificate);
        } catch (RuntimeException e) {
            // keep serving with the previous pair; the files may be half-written
            LOG.log(Level.WARNING, "TLS certificate " + certificate + " changed but cannot be loaded: "
                    + e.getMessage());
        }
    }

    private String stamp() {
        return fileStamp(certificate) + "|" + fileStamp(key);
    }

    private static String fileStamp(Path p) {
        try {
            FileTime t = Files.getLastModifiedTime(p);
            return t.toMillis() + ":" + Files.size(p);
        } catch (IOException e) {
            return "missing";
        }
    }

    /**
     * Layers server-side TLS over an accepted plain socket (STARTTLS, or the accept of an implicit
     * TLS port). No reverse DNS lookup of the peer; the handshake happens on first use.
     */
    public SSLSocket wrap(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) context().getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(Arrays.stream(s.getSupportedProtocols()).filter(PROTOCOLS::contains)
                .toArray(String[]::new));
        return s;
    }

    /**
     * An unbound server socket whose {@code accept()} returns TLS sockets made with the current
     * context (implicit TLS, port 465). The handshake runs in the connection's own thread.
     */
    public ServerSocket implicitTlsServerSocket() throws IOException {
        return new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                Socket plain = super.accept();
                try {
                    return wrap(plain);
                } catch (IOException | RuntimeException e) {
                    plain.close();
                    throw e;
                }
            }
        };
    }
}
