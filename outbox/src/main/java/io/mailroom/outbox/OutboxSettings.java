package io.mailroom.outbox;

import io.mailroom.outbox.delivery.Route;
import io.mailroom.outbox.queue.RetrySchedule;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The Outbox's configuration, read from MicroProfile Config (application.properties, system
 * properties, {@code MAILROOM_*} environment variables). See application.properties for every key.
 */
public record OutboxSettings(String hostname, String bindAddress, int submissionPort, int submissionsPort,
        Path tlsCert, Path tlsKey, Path spoolDir, String lmtpHost, int lmtpPort, String dnsHost, int dnsPort,
        int remotePort, Map<String, Route> routes, RetrySchedule retry, int workers, long maxMessageSize,
        int maxRecipients, int rateLimit, Duration rateWindow, Duration connectTimeout, Duration readTimeout,
        String mtaStsUrlTemplate, Optional<Path> mtaStsCaFile, int authCacheSize, int authMaxFailuresPerAccount,
        int authMaxFailuresPerIp, Duration authFailureWindow, int maxConnections, String adminBindAddress,
        int adminPort, Optional<String> adminToken) {

    public static OutboxSettings from(Config c) {
        String home = c.getOptionalValue("mailroom.home", String.class).orElse(".mailroom");
        String hostname = c.getOptionalValue("mailroom.hostname", String.class).orElse("localhost");
        int remotePort = c.getOptionalValue("mailroom.outbox.remote-port", Integer.class).orElse(25);
        return new OutboxSettings(
                hostname,
                c.getOptionalValue("mailroom.bind-address", String.class).orElse("127.0.0.1"),
                c.getOptionalValue("mailroom.submission.port", Integer.class).orElse(5587),
                c.getOptionalValue("mailroom.submissions.port", Integer.class).orElse(5465),
                Path.of(c.getValue("mailroom.tls.cert", String.class)),
                Path.of(c.getValue("mailroom.tls.key", String.class)),
                Path.of(c.getOptionalValue("mailroom.outbox.spool-dir", String.class).orElse(home + "/spool")),
                c.getOptionalValue("mailroom.lmtp.host", String.class).orElse("127.0.0.1"),
                c.getOptionalValue("mailroom.lmtp.port", Integer.class).orElse(2424),
                c.getOptionalValue("mailroom.dns.host", String.class).orElse("127.0.0.1"),
                c.getOptionalValue("mailroom.dns.port", Integer.class).orElse(53),
                remotePort,
                routes(c.getOptionalValue("mailroom.outbox.routes", String.class).orElse(""), remotePort),
                new RetrySchedule(
                        RetrySchedule.parseList(str(c, "mailroom.outbox.retry-schedule", "1m,5m,15m,30m,1h,2h,4h")),
                        RetrySchedule.parse(str(c, "mailroom.outbox.max-queue-time", "5d")),
                        RetrySchedule.parse(str(c, "mailroom.outbox.delay-warning", "4h"))),
                c.getOptionalValue("mailroom.outbox.workers", Integer.class).orElse(32),
                c.getOptionalValue("mailroom.outbox.max-message-size", Long.class).orElse(36_700_160L),
                c.getOptionalValue("mailroom.outbox.max-recipients", Integer.class).orElse(100),
                c.getOptionalValue("mailroom.outbox.rate-limit", Integer.class).orElse(1000),
                RetrySchedule.parse(str(c, "mailroom.outbox.rate-window", "1h")),
                RetrySchedule.parse(str(c, "mailroom.outbox.connect-timeout", "30s")),
                RetrySchedule.parse(str(c, "mailroom.outbox.read-timeout", "5m")),
                str(c, "mailroom.outbox.mta-sts.url-template", "https://mta-sts.{domain}/.well-known/mta-sts.txt"),
                c.getOptionalValue("mailroom.outbox.mta-sts.ca-file", String.class).filter(s -> !s.isBlank()).map(Path::of),
                c.getOptionalValue("mailroom.outbox.auth.cache-size", Integer.class).orElse(10_000),
                c.getOptionalValue("mailroom.outbox.auth.max-failures-per-account", Integer.class).orElse(10),
                c.getOptionalValue("mailroom.outbox.auth.max-failures-per-ip", Integer.class).orElse(30),
                RetrySchedule.parse(str(c, "mailroom.outbox.auth.failure-window", "15m")),
                c.getOptionalValue("mailroom.outbox.max-connections", Integer.class).orElse(1000),
                c.getOptionalValue("mailroom.outbox.admin.bind-address", String.class)
                        .orElse(c.getOptionalValue("mailroom.bind-address", String.class).orElse("127.0.0.1")),
                c.getOptionalValue("mailroom.outbox.admin.port", Integer.class).orElse(6808),
                adminToken(c));
    }

    /**
     * The queue admin API's bearer token: {@code mailroom.outbox.admin.token}, or the file named by
     * {@code mailroom.outbox.admin.token-file}; without either the API is not started.
     */
    private static Optional<String> adminToken(Config c) {
        Optional<String> t = c.getOptionalValue("mailroom.outbox.admin.token", String.class).filter(x -> !x.isBlank());
        if (t.isPresent()) {
            return t;
        }
        Optional<String> file = c.getOptionalValue("mailroom.outbox.admin.token-file", String.class)
                .filter(x -> !x.isBlank());
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            String v = java.nio.file.Files.readString(Path.of(file.get())).strip();
            if (v.length() < 16) {
                throw new IllegalArgumentException("the queue admin token must have at least 16 characters");
            }
            return Optional.of(v);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the queue admin token file " + file.get(), e);
        }
    }

    private static String str(Config c, String key, String def) {
        return c.getOptionalValue(key, String.class).orElse(def);
    }

    /** {@code example.net=127.0.0.5:2525,*=relay.example.com:587}; a missing port means the remote port. */
    static Map<String, Route> routes(String spec, int defaultPort) {
        Map<String, Route> out = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("bad route " + e + " (want domain=host[:port])");
            }
            String domain = e.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
            String target = e.substring(eq + 1).trim();
            int port = defaultPort;
            int colon = target.lastIndexOf(':');
            if (colon > 0 && !target.endsWith("]")) {
                port = Integer.parseInt(target.substring(colon + 1));
                target = target.substring(0, colon);
            }
            target = target.replace("[", "").replace("]", "");
            try {
                out.put(domain, new Route(target, List.of(InetAddress.getByName(target)), port, false));
            } catch (UnknownHostException ex) {
                throw new IllegalArgumentException("route " + e + ": unknown host " + target, ex);
            }
        }
        return out;
    }
}
