package io.mailroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A small client of the Controller's JSON API over the JDK's HTTP client. */
public class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_LENGTH = 500;
    /** Larger than any answer of the API (a page of 1000 users, every certificate of a big installation). */
    static final long MAX_RESPONSE_BYTES = 16L << 20;
    /** The whole exchange, body included (the request timeout only covers waiting for the headers). */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(90);

    private final URI base;
    private final String token;
    private final HttpClient http;

    public ApiClient(String baseUrl, String token) {
        String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        try {
            this.base = URI.create(b + "/api/v1/");
        } catch (IllegalArgumentException e) {
            throw new ApiException(-1, "invalid URL " + baseUrl);
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new ApiException(-1, "URL must start with http:// or https://");
        }
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public String getText(String path) {
        return call("GET", path, null).body();
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    private JsonNode send(String method, String path, Object body) {
        HttpResponse<String> r = call(method, path, body);
        if (r.body() == null || r.body().isBlank()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ApiException(r.statusCode(), "the Controller sent a response that is not JSON");
        }
    }

    private HttpResponse<String> call(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json, text/plain");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else if (method.equals("POST") || method.equals("PUT")) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString("{}"));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r;
            try {
                r = http.sendAsync(b.build(), info -> new LimitedBody(MAX_RESPONSE_BYTES))
                        .get(RESPONSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (TimeoutException e) {
                throw new ApiException(0, "the Controller at " + base.resolve("/") + " did not answer within "
                        + RESPONSE_TIMEOUT.toSeconds() + " s");
            }
            if (r.statusCode() >= 400) {
                throw new ApiException(r.statusCode(), errorMessage(r));
            }
            return r;
        } catch (IOException e) {
            throw new ApiException(0, "cannot reach the Controller at " + base.resolve("/") + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted");
        }
    }

    /** Collects a response body as UTF-8 text; more than {@code max} bytes fail the request. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
        private final long max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(long max) {
            this.max = max;
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + (long) buffer.remaining() > max) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("response larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    private static String errorMessage(HttpResponse<String> r) {
        String text = r.body() == null ? "" : r.body();
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.hasNonNull("error")) {
                text = n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: show the start of the text
        }
        text = text.replaceAll("\\p{Cntrl}", " ").strip();
        if (text.length() > MAX_ERROR_LENGTH) {
            text = text.substring(0, MAX_ERROR_LENGTH) + "...";
        }
        return text.isEmpty() ? "HTTP " + r.statusCode() : text;
    }
}
