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
}
