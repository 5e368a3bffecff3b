package io.mailroom.controller;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Outbox's queue admin API as the Controller reaches it. The Outbox keeps its queue in its own
 * spool (its own volume, its own pod), so the Controller does not read the queue: it forwards each
 * request, with the token it shares with the Outbox ({@code mailroom.controller.outbox-token-file},
 * the Outbox's {@code mailroom.outbox.admin.token-file}), and passes the answer back.
 */
@Singleton
public class OutboxQueue {
    /** What the Outbox answered: its status and JSON body. */
    public record Answer(int status, String body) {}

    private final Optional<URI> base;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    OutboxQueue(@ConfigProperty(name = "mailroom.controller.outbox-url") Optional<String> url,
            @ConfigProperty(name = "mailroom.controller.outbox-token") Optional<String> token,
            @ConfigProperty(name = "mailroom.controller.outbox-token-file") Optional<String> tokenFile) {
        this.base = url.filter(u -> !u.isBlank()).map(u -> URI.create(u.endsWith("/") ? u : u + "/"));
        Optional<String> t = token.filter(x -> !x.isBlank());
        if (t.isEmpty() && tokenFile.isPresent() && !tokenFile.get().isBlank()) {
            try {
                t = Optional.of(Files.readString(Path.of(tokenFile.get()), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the Outbox token file " + tokenFile.get());
            }
        }
        this.token = t;
    }

    /** @param path relative to the Outbox's API, e.g. {@code queue?sender=x} or {@code queue/hold?id=1} */
    public Answer call(String method, String path) {
        if (base.isEmpty() || token.isEmpty()) {
            return new Answer(503, ApiError.json("the Outbox queue is not configured here"
                    + " (mailroom.controller.outbox-url and mailroom.controller.outbox-token-file)"));
        }
        HttpRequest request = HttpRequest.newBuilder(base.get().resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token.get()).method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() == 401) {
                // the user's token was fine; the Controller's own token for the Outbox is not
                return new Answer(502, ApiError.json("the Outbox refused the Controller's token"));
            }
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(503, ApiError.json("cannot reach the Outbox queue at " + base.get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(503, ApiError.json("interrupted"));
        }
    }
}
