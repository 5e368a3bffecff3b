package io.mailroom.controller;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The body of every error response: {@code {"error": "..."}}. */
public record ApiError(String error) {
    public static Response response(int status, String message) {
        Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(message));
        if (status == 401) {
            b.header("WWW-Authenticate", "Bearer realm=\"mailroom\"");
        }
        return b.build();
    }

    /** The same body as text, for answers built outside JAX-RS's serialisation. */
    public static String json(String message) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new ApiError(message));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
