package io.mailroom.outbox.service;

import io.mailroom.common.tls.PemTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/** The server TLS context from PEM files, reloaded when either file changes (cert-manager renewals). */
public final class ReloadingTls implements Supplier<SSLContext> {
    private static final Logger LOG = Logger.getLogger(ReloadingTls.class);
    private final Path cert;
    private final Path key;
    private SSLContext context;
    private FileTime certTime;
    private FileTime keyTime;

    public ReloadingTls(Path cert, Path key) {
        this.cert = cert;
        this.key = key;
        get();
    }

    @Override
    public synchronized SSLContext get() {
        try {
            FileTime c = Files.getLastModifiedTime(cert);
            FileTime k = Files.getLastModifiedTime(key);
            if (context == null || !c.equals(certTime) || !k.equals(keyTime)) {
                SSLContext fresh = PemTls.serverContext(cert, key);
                if (context != null) {
                    LOG.infof("reloaded TLS certificate %s", cert);
                }
                context = fresh;
                certTime = c;
                keyTime = k;
            }
        } catch (IOException | RuntimeException e) {
            if (context == null) {
                throw new IllegalStateException("cannot load TLS certificate " + cert + ": " + e.getMessage(), e);
            }
            LOG.warnf("keeping the previous TLS certificate: %s", e.getMessage());
        }
        return context;
    }
}
