package io.mailroom.operator.mailroom;

import io.mailroom.operator.config.OperatorSettings;

/**
 * Default images of the components: all built by this project ({@code images/}, {@code ./mailroom images}),
 * under one registry and one tag. A MailRoom may name others per component; the upstream Dovecot, Rspamd,
 * Redis and Unbound images are not offered as defaults, because the generated configuration was never
 * shown to work with them (their users, paths and trust anchors differ).
 */
final class Images {
    private Images() {}

    static String defaultImage(Component c, OperatorSettings settings) {
        return image(c.id(), settings);
    }

    static String image(String name, OperatorSettings settings) {
        return settings.imageRegistry() + "/" + name + ":" + settings.imageTag();
    }
}
