package io.mailroom.inbox.service;

import io.mailroom.common.smtp.SmtpServerSettings;
import io.mailroom.inbox.CheckPolicy;
import io.mailroom.inbox.InboxSettings;
import io.mailroom.mailauth.dmarc.DmarcVersion;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.config.Config;

/** Maps the {@code mailroom.*} configuration (application.properties, MAILROOM_* env) onto {@link InboxSettings}. */
public final class InboxConfig {
    private InboxConfig() {}

    public static InboxSettings from(Config c) {
        String hostname = str(c, "mailroom.hostname", "localhost");
        Path cert = Path.of(str(c, "mailroom.tls.cert", ".mailroom/tls/server.crt"));
        Path key = Path.of(str(c, "mailroom.tls.key", ".mailroom/tls/server.key"));
        boolean tls = Files.isReadable(cert) && Files.isReadable(key);
        InetAddress bind;
        try {
            bind = InetAddress.getByName(str(c, "mailroom.bind-address", "127.0.0.1"));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("mailroom.bind-address: " + e.getMessage(), e);
        }
        SmtpServerSettings smtp = SmtpServerSettings.builder()
                .hostName(hostname).softwareName("Mail Room").bindAddress(bind)
                .port(c.getOptionalValue("mailroom.inbox.port", Integer.class).orElse(2525))
                .tls(tls ? cert : null, tls ? key : null)
                .maxMessageSize(c.getOptionalValue("mailroom.inbox.max-message-size", Integer.class).orElse(36_700_160))
                .maxRecipients(c.getOptionalValue("mailroom.inbox.max-recipients", Integer.class).orElse(100))
                .maxConnections(c.getOptionalValue("mailroom.inbox.max-connections", Integer.class).orElse(1000))
                .maxConnectionsPerIp(c.getOptionalValue("mailroom.inbox.max-connections-per-ip", Integer.class).orElse(20))
                .maxLineLength(c.getOptionalValue("mailroom.inbox.max-line-length", Integer.class).orElse(998))
                .maxRefusedRecipients(c.getOptionalValue("mailroom.inbox.max-refused-recipients", Integer.class)
                        .orElse(SmtpServerSettings.DEFAULT_MAX_REFUSED_RECIPIENTS))
                .maxTransactions(c.getOptionalValue("mailroom.inbox.max-transactions", Integer.class)
                        .orElse(SmtpServerSettings.DEFAULT_MAX_TRANSACTIONS))
                .commandTimeout(duration(c, "mailroom.inbox.command-timeout", "5m"))
                .dataTimeout(duration(c, "mailroom.inbox.data-timeout", "3m"))
                .maxDataDuration(duration(c, "mailroom.inbox.max-data-duration", "10m"))
                .bareLineEnds(SmtpServerSettings.BareLineEndPolicy.valueOf(
                        str(c, "mailroom.inbox.bare-line-ends", "reject").toUpperCase(Locale.ROOT)))
                .build();
        return new InboxSettings(smtp, str(c, "mailroom.inbox.authserv-id", hostname),
                str(c, "mailroom.lmtp.host", "127.0.0.1"), c.getOptionalValue("mailroom.lmtp.port", Integer.class).orElse(2424),
                duration(c, "mailroom.inbox.lmtp-timeout", "60s"),
                policy(c, "spf", "enforce"), policy(c, "dkim", "tag"), policy(c, "arc", "tag"),
                policy(c, "dmarc", "enforce"), policy(c, "rspamd", "enforce"),
                str(c, "mailroom.rspamd.host", "127.0.0.1"), c.getOptionalValue("mailroom.rspamd.port", Integer.class).orElse(11333),
                duration(c, "mailroom.inbox.rspamd-timeout", "20s"),
                InboxSettings.RspamdFailure.valueOf(str(c, "mailroom.inbox.rspamd-unreachable", "tempfail").toUpperCase(Locale.ROOT)),
                c.getOptionalValue("mailroom.inbox.smime", Boolean.class).orElse(true),
                list(str(c, "mailroom.inbox.dnsbl-zones", "")),
                policy(c, "dnsbl", "off"), policy(c, "rdns", "off"),
                // RFC 8617 §7.2: whose ARC chain may excuse a DMARC failure is local policy; nobody by default
                list(str(c, "mailroom.inbox.arc-trusted-sealers", "")),
                InboxSettings.Quarantine.valueOf(str(c, "mailroom.inbox.quarantine", "junk").toUpperCase(Locale.ROOT)));
    }

    /**
     * {@code mailroom.inbox.dmarc-version}: {@code rfc9989} (the default: DMARCbis, the DNS Tree
     * Walk) or {@code rfc7489} (the Public Suffix List and pct, for results as older receivers give them).
     */
    public static DmarcVersion dmarcVersion(Config c) {
        return DmarcVersion.parse(str(c, "mailroom.inbox.dmarc-version", DmarcVersion.DEFAULT.keyword()));
    }

    /** A comma- or space-separated list. */
    private static List<String> list(String v) {
        return List.of(v.trim().split("[,\\s]+")).stream().filter(z -> !z.isEmpty()).toList();
    }

    private static CheckPolicy policy(Config c, String check, String def) {
        return CheckPolicy.parse(str(c, "mailroom.inbox." + check, def));
    }

    private static String str(Config c, String key, String def) {
        return c.getOptionalValue(key, String.class).orElse(def);
    }

    /** Durations as {@code 30s}, {@code 5m}, {@code 2h}, {@code 5d} or ISO-8601. */
    static Duration duration(Config c, String key, String def) {
        String v = str(c, key, def).trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException(key + ": bad duration " + v);
        };
    }
}
