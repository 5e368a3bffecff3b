package io.mailroom.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.mailroom.common.ConflictException;
import io.mailroom.common.InvalidInputException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns exceptions into {@code {"error": "..."}} responses with the right status. Messages of
 * {@link MailRoomException}s are written to be shown; anything else is logged and answered with a
 * generic message, so no stack trace or internal detail reaches a client.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e) {
        return ApiError.response(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ApiError.response(404, e.getMessage());
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return ApiError.response(409, e.getMessage());
    }

    @ServerExceptionMapper
    public Response failed(MailRoomException e) {
        LOG.errorf(e, "request failed: %s", e.getMessage());
        return ApiError.response(500, e.getMessage());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String message;
        if (e instanceof UnrecognizedPropertyException u) {
            message = "unknown field \"" + u.getPropertyName() + "\" in request body";
        } else if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            message = "wrong type for field \"" + m.getPath().get(m.getPath().size() - 1).getFieldName()
                    + "\" in request body";
        } else {
            message = "malformed JSON in request body";
        }
        return ApiError.response(400, message);
    }

    // Jackson's subtypes have built-in mappers that answer without a body: take them over
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response parse(com.fasterxml.jackson.core.JsonParseException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException j) {
            return json(j);
        }
        String reason = Response.Status.fromStatusCode(status) == null ? "error"
                : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
        return ApiError.response(status, reason);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected failure", e);
        return ApiError.response(500, "internal error");
    }
}
