package io.mailroom.operator.mailroom;

import io.mailroom.operator.config.OperatorSettings;

/** Default images of the components; a MailRoom may name others. */
final class Images {
    private Images() {}

    static String defaultImage(Component c, OperatorSettings settings) {
        return switch (c) {
            case INBOX, OUTBOX, CONTROLLER -> settings.imageRegistry() + "/" + c.id() + ":" + settings.imageTag();
            case DOVECOT -> "docker.io/dovecot/dovecot:2.3.21";
            case RSPAMD -> "docker.io/rspamd/rspamd:3.11";
            case REDIS -> "docker.io/library/redis:7.2";
            case UNBOUND -> "docker.io/mvance/unbound:1.21.1";
        };
    }
}
