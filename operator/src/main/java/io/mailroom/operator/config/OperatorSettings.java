package io.mailroom.operator.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The operator's own configuration ({@code mailroom.operator.*} in application.properties,
 * {@code MAILROOM_OPERATOR_*} in the environment).
 *
 * @param redisUriOverride  Redis every installation is reached at instead of its in-cluster Service (tests, debugging)
 * @param mailRoot          where Dovecot keeps mailboxes inside its pod; user homes in the store point below it
 * @param operatorNamespace namespace the operator runs in, allowed through the Redis NetworkPolicy
 * @param imageRegistry     registry and repository prefix of the Mail Room images
 * @param imageTag          tag of the Mail Room images
 * @param bcryptCost        cost of password hashes written to the store
 */
public record OperatorSettings(Optional<String> redisUriOverride, Path mailRoot, String operatorNamespace,
        String imageRegistry, String imageTag, int bcryptCost) {

    public static final String MAIL_ROOT = "/var/mail";

    public static OperatorSettings defaults() {
        return new OperatorSettings(Optional.empty(), Path.of(MAIL_ROOT), "mailroom-system", "ghcr.io/mailroom",
                "0.1.0", 10);
    }

    public OperatorSettings withRedisUriOverride(String uri) {
        return new OperatorSettings(Optional.ofNullable(uri), mailRoot, operatorNamespace, imageRegistry, imageTag,
                bcryptCost);
    }

    public OperatorSettings withMailRoot(Path root) {
        return new OperatorSettings(redisUriOverride, root, operatorNamespace, imageRegistry, imageTag, bcryptCost);
    }

    public OperatorSettings withBcryptCost(int cost) {
        return new OperatorSettings(redisUriOverride, mailRoot, operatorNamespace, imageRegistry, imageTag, cost);
    }
}
