package io.mailroom.controller;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The Controller's REST application: every path under {@code /api/v1} needs the bearer token. */
@OpenAPIDefinition(info = @Info(title = "Mail Room Controller API", version = "v1",
        description = "Accounts, aliases, domains, DKIM keys, DNS records and client certificates. "
                + "Every request needs 'Authorization: Bearer <token>'. Errors are JSON {\"error\": \"...\"}."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
public class ControllerApplication extends Application {}
