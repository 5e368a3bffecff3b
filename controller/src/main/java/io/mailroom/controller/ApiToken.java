package io.mailroom.controller;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The bearer token that protects the API, from {@code mailroom.controller.token}
 * ({@code MAILROOM_CONTROLLER_TOKEN}) or the file named by {@code mailroom.controller.token-file}
 * ({@code MAILROOM_CONTROLLER_TOKEN_FILE}). Without one the Controller refuses to start, except in
 * Quarkus dev mode.
 */
@Singleton
public class ApiToken {
    private static final Logger LOG = Logger.getLogger(ApiToken.class);
    static final int MIN_LENGTH = 16;

    private final byte[] expectedDigest;

    ApiToken(@ConfigProperty(name = "mailroom.controller.token") Optional<String> token,
            @ConfigProperty(name = "mailroom.controller.token-file") Optional<String> tokenFile) {
        String value = token.filter(t -> !t.isBlank()).orElse(null);
        if (value == null && tokenFile.isPresent() && !tokenFile.get().isBlank()) {
            try {
                value = Files.readString(Path.of(tokenFile.get()), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the controller token file " + tokenFile.get()
                        + ": " + e.getClass().getSimpleName());
            }
        }
        if (value != null && value.length() < MIN_LENGTH) {
            throw new IllegalStateException("the controller token must have at least " + MIN_LENGTH + " characters");
        }
        this.expectedDigest = value == null || value.isEmpty() ? null : sha256(value);
    }

    void check(@Observes StartupEvent event) {
        if (expectedDigest == null) {
            if (LaunchMode.current() == LaunchMode.DEVELOPMENT) {
                LOG.warn("no controller token configured: the API is open (dev mode only)");
            } else {
                throw new IllegalStateException("no controller token configured: set MAILROOM_CONTROLLER_TOKEN_FILE"
                        + " or MAILROOM_CONTROLLER_TOKEN");
            }
        }
    }

    /** True when the presented token is the configured one; compares digests in constant time. */
    boolean accepts(String presented) {
        if (expectedDigest == null) {
            return LaunchMode.current() == LaunchMode.DEVELOPMENT;
        }
        return presented != null && MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
