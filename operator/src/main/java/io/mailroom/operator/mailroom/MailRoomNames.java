package io.mailroom.operator.mailroom;

/** Names of the objects of one installation, all derived from the MailRoom's name. */
public record MailRoomNames(String base) {
    public static MailRoomNames of(String mailRoom) {
        return new MailRoomNames(mailRoom);
    }

    public String of(Component c) {
        return base + "-" + c.id();
    }

    public String redis() {
        return of(Component.REDIS);
    }

    public String lmtp() {
        return base + "-lmtp";
    }

    public String caSecret() {
        return base + "-ca";
    }

    public String controllerToken() {
        return base + "-controller-token";
    }

    /** The Secret of the Outbox's queue admin token, which the Controller sends (mailroom-cli queue). */
    public String outboxAdminToken() {
        return base + "-outbox-admin-token";
    }

    /** The internal Service of the Outbox's queue admin API, reachable from the Controller only. */
    public String outboxAdmin() {
        return base + "-outbox-admin";
    }

    public String backup() {
        return base + "-backup";
    }

    /** The PVC the Dovecot StatefulSet creates for its pod (claim template "mail", pod 0). */
    public String mailVolume() {
        return "mail-" + of(Component.DOVECOT) + "-0";
    }

    public String defaultDeny() {
        return base + "-default-deny";
    }
}
