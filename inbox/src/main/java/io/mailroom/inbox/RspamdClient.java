package io.mailroom.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks Rspamd's normal worker about a message over its HTTP protocol ({@code POST /checkv2},
 * https://rspamd.com/doc/developers/protocol.html) with the SMTP envelope in request headers.
 */
public final class RspamdClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rspamd's /checkv2 answer is a few KiB (symbols, milter headers); 1 MiB is far beyond any real one. */
    static final int MAX_RESPONSE = 1 << 20;

    private final HttpClient http;
    private final URI uri;
    private final Duration timeout;

    public RspamdClient(String host, int port, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.uri = URI.create("http://" + host + ":" + port + "/checkv2");
        this.timeout = timeout;
    }

    /** The envelope facts Rspamd uses (its "IP", "Helo", "From", "Rcpt", "Hostname", "Queue-Id", "User" headers). */
    public record Envelope(String ip, String helo, String mailFrom, List<String> recipients, String hostname,
            String queueId, String user) {}

    /**
     * Rspamd's verdict.
     *
     * @param action       {@code no action}, {@code greylist}, {@code add header}, {@code rewrite subject},
     *                     {@code soft reject} or {@code reject}
     * @param score        the message's score
     * @param requiredScore the reject threshold
     * @param subject      the rewritten subject (for {@code rewrite subject}) or null
     * @param addHeaders   headers Rspamd's milter_headers module asks to add
     * @param removeHeaders header names it asks to remove
     * @param symbols      the symbol names that fired
     */
    public record Result(String action, double score, double requiredScore, String subject,
            Map<String, String> addHeaders, List<String> removeHeaders, List<String> symbols) {}

    public Result check(Envelope env, byte[] message) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Pass", "all") // no pre-filter shortcuts: we want every module's answer
                .POST(HttpRequest.BodyPublishers.ofByteArray(message));
        if (env.ip() != null) {
            req.header("IP", env.ip());
        }
        if (env.helo() != null && !env.helo().isEmpty()) {
            req.header("Helo", headerSafe(env.helo()));
        }
        req.header("From", env.mailFrom() == null || env.mailFrom().isEmpty() ? "<>" : headerSafe(env.mailFrom()));
        for (String r : env.recipients()) {
            req.header("Rcpt", headerSafe(r));
        }
        if (env.hostname() != null) {
            req.header("Hostname", headerSafe(env.hostname()));
        }
        if (env.queueId() != null) {
            req.header("Queue-Id", env.queueId());
        }
        if (env.user() != null) {
            req.header("User", headerSafe(env.user()));
        }
        HttpResponse<byte[]> resp;
        // the request timeout ends at the response headers; the body is bounded in size and time too
        var pending = http.sendAsync(req.build(), BoundedBody.handler(MAX_RESPONSE));
        try {
            resp = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for Rspamd", e);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new IOException("Rspamd did not answer within " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("Rspamd request failed", e.getCause());
        }
        if (resp.statusCode() != 200) {
            throw new IOException("Rspamd answered HTTP " + resp.statusCode());
        }
        return parse(resp.body());
    }

    static Result parse(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        if (n == null || !n.has("action")) {
            throw new IOException("Rspamd answer without an action");
        }
        Map<String, String> add = new LinkedHashMap<>();
        List<String> remove = new java.util.ArrayList<>();
        JsonNode milter = n.path("milter");
        milter.path("add_headers").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            // either "value" or {"value": ..., "order": ...} or a list of those
            if (v.isArray() && !v.isEmpty()) {
                v = v.get(0);
            }
            String value = v.isObject() ? v.path("value").asText() : v.asText();
            add.put(e.getKey(), value);
        });
        milter.path("remove_headers").fieldNames().forEachRemaining(remove::add);
        List<String> symbols = new java.util.ArrayList<>();
        n.path("symbols").fieldNames().forEachRemaining(symbols::add);
        return new Result(n.path("action").asText(), n.path("score").asDouble(), n.path("required_score").asDouble(),
                n.hasNonNull("subject") ? n.path("subject").asText() : null, add, remove, symbols);
    }

    private static String headerSafe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f || c > 0x7e ? '?' : c);
        }
        return b.toString();
    }
}
