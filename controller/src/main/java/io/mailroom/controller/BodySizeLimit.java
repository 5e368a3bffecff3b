package io.mailroom.controller;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose declared body is larger than {@code mailroom.controller.max-body-bytes}
 * with 400 and a JSON message, before the body is read. Bodies without a length that grow past
 * {@code quarkus.http.limits.max-body-size} are cut off by the HTTP server itself (413).
 */
@ApplicationScoped
public class BodySizeLimit {
    @ConfigProperty(name = "mailroom.controller.max-body-bytes", defaultValue = "65536")
    long maxBytes;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = Long.MAX_VALUE;
            }
            if (declared > maxBytes) {
                ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end("{\"error\":\"request body larger than " + maxBytes + " bytes\"}");
                return;
            }
            ctx.next();
        });
    }
}
