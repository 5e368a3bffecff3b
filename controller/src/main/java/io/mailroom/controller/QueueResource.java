package io.mailroom.controller;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The Outbox's delivery queue: list, show, hold, release, retry, drop, bounce. Filters (query
 * parameters, all optional, all must hold): {@code id} (repeatable), {@code sender} (part of the
 * envelope sender), {@code domain} (of a pending recipient), {@code older-than} / {@code newer-than}
 * (age such as {@code 30m}, {@code 2d}), {@code held} ({@code true}/{@code false}). The queue is the
 * Outbox's; see {@link OutboxQueue}.
 */
@Path("/api/v1/queue")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "queue")
public class QueueResource {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{13}-[0-9a-f]{12}");

    @Inject
    OutboxQueue outbox;

    @GET
    @Operation(summary = "List queued messages, oldest first")
    public Response list(@Context UriInfo uri) {
        return answer(outbox.call("GET", "queue" + query(uri)));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One queued message with each recipient's history of attempts")
    public Response show(@PathParam("id") String id) {
        if (!ID.matcher(id).matches()) {
            return ApiError.response(400, "not a queue id: " + id);
        }
        return answer(outbox.call("GET", "queue/" + id));
    }

    @POST
    @Path("{operation: hold|release|retry|drop|bounce}")
    @Operation(summary = "Hold, release, retry (now), drop (no DSN) or bounce (DSN to the sender) the selected messages")
    public Response operate(@PathParam("operation") String operation, @Context UriInfo uri) {
        return answer(outbox.call("POST", "queue/" + operation + query(uri)));
    }

    private static String query(UriInfo uri) {
        String q = uri.getRequestUri().getRawQuery();
        return q == null || q.isEmpty() ? "" : "?" + q;
    }

    private static Response answer(OutboxQueue.Answer a) {
        // the Outbox's JSON as it came, as bytes so that no writer quotes it as a JSON string
        return Response.status(a.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(a.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)).build();
    }
}
