package io.mailroom.mailauth.authresults;

import java.util.List;

/**
 * One method result of an Authentication-Results field (RFC 8601 §2.2), e.g.
 * {@code dkim=pass reason="..." header.d=example.com}.
 */
public record AuthResult(String method, String result, String reason, List<Property> properties) {

    /** A ptype.property=value item, e.g. smtp.mailfrom=user@example.com. */
    public record Property(String type, String name, String value) {
        public String key() {
            return type + "." + name;
        }
    }

    public AuthResult {
        properties = List.copyOf(properties);
    }

    /** The value of ptype.property, or null. */
    public String property(String key) {
        for (Property p : properties) if (p.key().equalsIgnoreCase(key)) return p.value();
        return null;
    }
}
