package io.mailroom.outbox.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mailroom.common.InvalidInputException;
import io.mailroom.common.NotFoundException;
import io.mailroom.outbox.queue.DeliveryQueue;
import io.mailroom.outbox.queue.QueueChange;
import io.mailroom.outbox.queue.QueueFilter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The Outbox's queue over HTTP, for the Controller to proxy ({@code mailroom-cli queue ...}).
 *
 * <p>Why an API on the Outbox rather than the queue in Redis: the spool on the Outbox's own volume
 * is the one durable record of a queued message, written with fsync before the 250; a copy in
 * Redis would be a second truth to keep in step on every attempt. In Kubernetes the Controller is
 * another pod, so it reaches this listener over the pod network, with a bearer token that only
 * the Controller and the Outbox know. The JDK's own HTTP server keeps it free of Quarkus, so the
 * same Outbox runs from {@code OutboxMain}.
 *
 * <pre>
 *   GET  /queue?sender=&amp;domain=&amp;older-than=&amp;newer-than=&amp;held=&amp;id=   list
 *   GET  /queue/{id}                                                    one message, with each recipient's history
 *   POST /queue/{hold|release|retry|drop|bounce}?(same filter)          {"changed": [...], "busy": [...]}
 * </pre>
 */
public final class QueueAdminServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(QueueAdminServer.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final List<String> OPERATIONS = List.of("hold", "release", "retry", "drop", "bounce");

    private final HttpServer server;
    private final DeliveryQueue queue;
    private final byte[] tokenDigest;

    public QueueAdminServer(InetAddress bind, int port, String token, DeliveryQueue queue) throws IOException {
        this.queue = queue;
        this.tokenDigest = sha256(token);
        server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/queue", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!authorized(x.getRequestHeaders().getFirst("Authorization"))) {
                send(x, 401, Map.of("error", "missing or invalid bearer token"));
                return;
            }
            String path = x.getRequestURI().getRawPath();
            String rest = path.equals("/queue") ? "" : path.startsWith("/queue/") ? path.substring(7) : null;
            String method = x.getRequestMethod();
            try {
                if (rest == null || rest.contains("/")) {
                    send(x, 404, Map.of("error", "not found"));
                } else if (rest.isEmpty() && method.equals("GET")) {
                    send(x, 200, Map.of("items", queue.list(filter(x)).stream().map(QueueSummary::of).toList()));
                } else if (OPERATIONS.contains(rest) && method.equals("POST")) {
                    send(x, 200, operate(rest, filter(x)));
                } else if (!rest.isEmpty() && !OPERATIONS.contains(rest) && method.equals("GET")) {
                    send(x, 200, queue.get(URLDecoder.decode(rest, StandardCharsets.UTF_8)));
                } else {
                    send(x, 405, Map.of("error", "method not allowed"));
                }
            } catch (InvalidInputException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
                send(x, 400, Map.of("error", String.valueOf(e.getMessage())));
            } catch (NotFoundException e) {
                send(x, 404, Map.of("error", e.getMessage()));
            } catch (IOException | RuntimeException e) {
                LOG.errorf(e, "queue operation %s %s failed", method, path);
                send(x, 500, Map.of("error", "queue operation failed: " + e.getMessage()));
            }
        }
    }

    private QueueChange operate(String op, QueueFilter f) throws IOException {
        QueueChange c = switch (op) {
            case "hold" -> queue.hold(f);
            case "release" -> queue.release(f);
            case "retry" -> queue.retry(f);
            case "drop" -> queue.drop(f);
            default -> queue.bounce(f);
        };
        LOG.infof("queue %s: %d changed, %d busy", op, c.changed().size(), c.busy().size());
        return c;
    }

    /** The filter from the query string: repeated {@code id}, {@code sender}, {@code domain}, ages, {@code held}. */
    static QueueFilter filter(HttpExchange x) {
        Map<String, List<String>> q = query(x.getRequestURI().getRawQuery());
        return new QueueFilter(q.getOrDefault("id", List.of()), one(q, "sender"), one(q, "domain"),
                duration(one(q, "older-than")), duration(one(q, "newer-than")), bool(one(q, "held")));
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!List.of("id", "sender", "domain", "older-than", "newer-than", "held").contains(k)) {
                throw new InvalidInputException("unknown filter " + k);
            }
            out.computeIfAbsent(k, y -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String one(Map<String, List<String>> q, String k) {
        List<String> v = q.get(k);
        if (v != null && v.size() > 1) {
            throw new InvalidInputException("filter " + k + " given twice");
        }
        return v == null ? null : v.get(0);
    }

    private static java.time.Duration duration(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return io.mailroom.outbox.queue.RetrySchedule.parse(s);
        } catch (RuntimeException e) {
            throw new InvalidInputException("bad duration " + s + " (want e.g. 30m, 2h, 1d)");
        }
    }

    private static Boolean bool(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidInputException("held must be true or false");
        };
    }

    private boolean authorized(String header) {
        String prefix = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(prefix.length()).strip()));
    }

    private static void send(HttpExchange x, int status, Object body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
