package io.mailroom.controller;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Refuses every API request without {@code Authorization: Bearer <token>} (401). Runs before
 * resource matching, so unknown paths and wrong methods reveal nothing either. Health, metrics
 * and the OpenAPI document under {@code /q/} are not JAX-RS resources and stay open.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class BearerTokenFilter implements ContainerRequestFilter {
    private static final String PREFIX = "Bearer ";

    @Inject
    ApiToken token;

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? header.substring(PREFIX.length()).strip() : null;
        if (!token.accepts(presented)) {
            request.abortWith(ApiError.response(401, "missing or invalid bearer token"));
        }
    }
}
