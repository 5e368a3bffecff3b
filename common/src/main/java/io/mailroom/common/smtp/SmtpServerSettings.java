package io.mailroom.common.smtp;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything that shapes an SMTP listener built by {@link SmtpServerFactory}: identity, TLS files,
 * limits and timeouts, advertised extensions. Immutable; start from {@link #builder()}.
 *
 * @param hostName            the name in the greeting, EHLO reply and Received headers
 * @param softwareName        the software named in the greeting
 * @param bindAddress         the address to listen on (null: all interfaces)
 * @param port                the port (0: any free port, see {@code SMTPServer.getPortAllocated()})
 * @param tlsCertificate      PEM certificate chain (null: no TLS)
 * @param tlsKey              PEM private key (null: no TLS)
 * @param implicitTls         TLS from the first byte (port 465) instead of STARTTLS
 * @param requireTls          refuse MAIL/RCPT/DATA/AUTH before STARTTLS (submission on 587)
 * @param maxConnections      concurrent connections in total (421 4.7.0 beyond)
 * @param maxConnectionsPerIp concurrent connections per client address (421 4.7.0 beyond)
 * @param maxRecipients       recipients per transaction (452 4.5.3 beyond)
 * @param maxMessageSize      message size in bytes, advertised with SIZE (552 5.3.4 beyond)
 * @param maxLineLength       length of a DATA line without CRLF (500 5.5.6 beyond; RFC 5321 says 998)
 * @param commandTimeout      idle time allowed while waiting for a command (421 4.4.2 after)
 * @param dataTimeout         idle time allowed between reads during DATA (421 4.4.2 after)
 * @param maxDataDuration     total time allowed for one DATA transfer (421 4.4.2 after)
 * @param bareLineEnds        what DATA does with a CR or LF that is not part of CRLF
 * @param advertiseDsn        advertise and accept RFC 3461 parameters (RET, ENVID, NOTIFY, ORCPT)
 * @param advertiseRequireTls advertise RFC 8689 REQUIRETLS once TLS is active
 * @param maxRefusedRecipients refused RCPTs after which the session is ended with 421 4.7.0
 * @param maxTransactions     MAIL commands per session; the one beyond ends the session with 421 4.7.0
 */
public record SmtpServerSettings(
        String hostName,
        String softwareName,
        InetAddress bindAddress,
        int port,
        Path tlsCertificate,
        Path tlsKey,
        boolean implicitTls,
        boolean requireTls,
        int maxConnections,
        int maxConnectionsPerIp,
        int maxRecipients,
        int maxMessageSize,
        int maxLineLength,
        Duration commandTimeout,
        Duration dataTimeout,
        Duration maxDataDuration,
        BareLineEndPolicy bareLineEnds,
        boolean advertiseDsn,
        boolean advertiseRequireTls,
        int maxRefusedRecipients,
        int maxTransactions) {

    /** Refused RCPTs after which a session is ended (Postfix's smtpd_hard_error_limit is 20). */
    public static final int DEFAULT_MAX_REFUSED_RECIPIENTS = 20;
    /** MAIL commands one session may give (each one a transaction, completed or reset). */
    public static final int DEFAULT_MAX_TRANSACTIONS = 100;

    /** What DATA does with a bare CR or bare LF (the raw material of SMTP smuggling). */
    public enum BareLineEndPolicy {
        /** Read to the real end of data ({@code CRLF.CRLF}) and refuse the message with 550 5.6.0. */
        REJECT,
        /** Treat a bare CR or LF as a line end (stored as CRLF); only {@code CRLF.CRLF} ends data. */
        NORMALIZE
    }

    public SmtpServerSettings {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(softwareName, "softwareName");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        Objects.requireNonNull(maxDataDuration, "maxDataDuration");
        Objects.requireNonNull(bareLineEnds, "bareLineEnds");
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key file");
        }
        if ((implicitTls || requireTls) && tlsCertificate == null) {
            throw new IllegalArgumentException("implicit or required TLS needs a certificate and a key");
        }
        if (maxConnections < 1 || maxConnectionsPerIp < 1 || maxRecipients < 1 || maxMessageSize < 1
                || maxLineLength < 78 || maxRefusedRecipients < 1 || maxTransactions < 1) {
            throw new IllegalArgumentException("SMTP limits must be positive (line length >= 78)");
        }
    }

    public boolean tlsEnabled() {
        return tlsCertificate != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy with other TLS files (or none). */
    public SmtpServerSettings withTls(Path certificate, Path key) {
        return toBuilder().tls(certificate, key).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.hostName = hostName;
        b.softwareName = softwareName;
        b.bindAddress = bindAddress;
        b.port = port;
        b.tlsCertificate = tlsCertificate;
        b.tlsKey = tlsKey;
        b.implicitTls = implicitTls;
        b.requireTls = requireTls;
        b.maxConnections = maxConnections;
        b.maxConnectionsPerIp = maxConnectionsPerIp;
        b.maxRecipients = maxRecipients;
        b.maxMessageSize = maxMessageSize;
        b.maxLineLength = maxLineLength;
        b.commandTimeout = commandTimeout;
        b.dataTimeout = dataTimeout;
        b.maxDataDuration = maxDataDuration;
        b.bareLineEnds = bareLineEnds;
        b.advertiseDsn = advertiseDsn;
        b.advertiseRequireTls = advertiseRequireTls;
        b.maxRefusedRecipients = maxRefusedRecipients;
        b.maxTransactions = maxTransactions;
        return b;
    }

    /** Builder with the defaults of a public MX: RFC 5321 §4.5.3 minimums and timeouts. */
    public static final class Builder {
        private String hostName = "localhost";
        private String softwareName = "Mail Room";
        private InetAddress bindAddress;
        private int port = 25;
        private Path tlsCertificate;
        private Path tlsKey;
        private boolean implicitTls;
        private boolean requireTls;
        private int maxConnections = 1000;
        private int maxConnectionsPerIp = 20;
        private int maxRecipients = 100;
        private int maxMessageSize = 50 * 1024 * 1024;
        private int maxLineLength = 998;
        private Duration commandTimeout = Duration.ofMinutes(5);
        private Duration dataTimeout = Duration.ofMinutes(3);
        private Duration maxDataDuration = Duration.ofMinutes(10);
        private BareLineEndPolicy bareLineEnds = BareLineEndPolicy.REJECT;
        private boolean advertiseDsn = true;
        private boolean advertiseRequireTls = true;
        private int maxRefusedRecipients = DEFAULT_MAX_REFUSED_RECIPIENTS;
        private int maxTransactions = DEFAULT_MAX_TRANSACTIONS;

        public Builder hostName(String v) { hostName = v; return this; }
        public Builder softwareName(String v) { softwareName = v; return this; }
        public Builder bindAddress(InetAddress v) { bindAddress = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder tls(Path certificate, Path key) { tlsCertificate = certificate; tlsKey = key; return this; }
        public Builder implicitTls(boolean v) { implicitTls = v; return this; }
        public Builder requireTls(boolean v) { requireTls = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
        public Builder maxRecipients(int v) { maxRecipients = v; return this; }
        public Builder maxMessageSize(int v) { maxMessageSize = v; return this; }
        public Builder maxLineLength(int v) { maxLineLength = v; return this; }
        public Builder commandTimeout(Duration v) { commandTimeout = v; return this; }
        public Builder dataTimeout(Duration v) { dataTimeout = v; return this; }
        public Builder maxDataDuration(Duration v) { maxDataDuration = v; return this; }
        public Builder bareLineEnds(BareLineEndPolicy v) { bareLineEnds = v; return this; }
        public Builder advertiseDsn(boolean v) { advertiseDsn = v; return this; }
        public Builder advertiseRequireTls(boolean v) { advertiseRequireTls = v; return this; }
        public Builder maxRefusedRecipients(int v) { maxRefusedRecipients = v; return this; }
        public Builder maxTransactions(int v) { maxTransactions = v; return this; }

        public SmtpServerSettings build() {
            return new SmtpServerSettings(hostName, softwareName, bindAddress, port, tlsCertificate, tlsKey,
                    implicitTls, requireTls, maxConnections, maxConnectionsPerIp, maxRecipients, maxMessageSize,
                    maxLineLength, commandTimeout, dataTimeout, maxDataDuration, bareLineEnds, advertiseDsn,
                    advertiseRequireTls, maxRefusedRecipients, maxTransactions);
        }
    }
}
