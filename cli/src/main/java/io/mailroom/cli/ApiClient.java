package io.mailroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small client of the Controller's JSON API over the JDK's HTTP client. */
public class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_LENGTH = 500;

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
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
