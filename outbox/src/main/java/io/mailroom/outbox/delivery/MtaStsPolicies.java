package io.mailroom.outbox.delivery;

import io.mailroom.mailauth.dns.DnsResolver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/**
 * MTA-STS (RFC 8461): a domain that publishes {@code _mta-sts.<domain> TXT "v=STSv1; id=..."}
 * and a policy at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} with
 * {@code mode: enforce} gets mail only over TLS with a valid certificate to an MX host matching
 * the policy. Policies are cached by id until {@code max_age}. The URL template and the trust
 * used for the policy fetch and the MX certificates are configurable (tests use a private CA).
 */
public final class MtaStsPolicies {
    private static final Logger LOG = Logger.getLogger(MtaStsPolicies.class);
    private static final int MAX_POLICY = 64 * 1024;

    /** A fetched policy. */
    public record Policy(String id, String mode, List<String> mx, Instant expires) {
        public boolean enforce() {
            return "enforce".equals(mode);
        }

        /** RFC 8461 §4.1: exact match or a {@code *.} wildcard of one left-most label. */
        public boolean allows(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            for (String p : mx) {
                if (p.startsWith("*.")) {
                    String suffix = p.substring(1);
                    if (h.endsWith(suffix) && h.indexOf('.') == h.length() - suffix.length()) {
                        return true;
                    }
                } else if (p.equals(h)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final DnsResolver dns;
    private final String urlTemplate;
    private final SSLContext trust;
    private final HttpClient http;
    private final Map<String, Policy> cache = new ConcurrentHashMap<>();

    /** @param urlTemplate e.g. {@code https://mta-sts.{domain}/.well-known/mta-sts.txt} */
    public MtaStsPolicies(DnsResolver dns, String urlTemplate, SSLContext trust) {
        this.dns = dns;
        this.urlTemplate = urlTemplate;
        this.trust = trust;
        this.http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public SSLContext tlsContext() {
        return trust;
    }

    /** The domain's policy, or null when it publishes none (or none could be fetched and none is cached). */
    public Policy policy(String domain) {
        if (dns == null) {
            return null;
        }
        Policy cached = cache.get(domain);
        var txt = dns.txt("_mta-sts." + domain);
        String id = null;
        for (String t : txt.records()) {
            if (t.startsWith("v=STSv1")) {
                for (String part : t.split(";")) {
                    String p = part.trim();
                    if (p.startsWith("id=")) {
                        id = p.substring(3);
                    }
                }
            }
        }
        if (id == null) {
            return cached != null && cached.expires().isAfter(Instant.now()) ? cached : null;
        }
        if (cached != null && cached.id().equals(id) && cached.expires().isAfter(Instant.now())) {
            return cached;
        }
        try {
            Policy p = fetch(domain, id);
            cache.put(domain, p);
            return p;
        } catch (Exception e) {
            LOG.warnf("MTA-STS policy of %s could not be fetched: %s", domain, e.getMessage());
            return cached != null && cached.expires().isAfter(Instant.now()) ? cached : null;
        }
    }

    private Policy fetch(String domain, String id) throws Exception {
        URI uri = URI.create(urlTemplate.replace("{domain}", domain));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode());
        }
        byte[] body = r.body();
        if (body.length > MAX_POLICY) {
            throw new IllegalStateException("policy too large");
        }
        return parse(id, new String(body, StandardCharsets.UTF_8));
    }

    static Policy parse(String id, String text) {
        String version = null;
        String mode = null;
        long maxAge = 0;
        List<String> mx = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String k = line.substring(0, colon).trim();
            String v = line.substring(colon + 1).trim();
            switch (k) {
                case "version" -> version = v;
                case "mode" -> mode = v;
                case "max_age" -> maxAge = Long.parseLong(v);
                case "mx" -> mx.add(v.toLowerCase(Locale.ROOT));
                default -> { }
            }
        }
        if (!"STSv1".equals(version) || mode == null || !List.of("enforce", "testing", "none").contains(mode)) {
            throw new IllegalArgumentException("invalid MTA-STS policy");
        }
        return new Policy(id, mode, mx, Instant.now().plusSeconds(Math.min(maxAge, 31_557_600)));
    }
}
