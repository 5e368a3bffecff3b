package io.mailroom.operator.mailroom;

/** The workloads of an installation. */
public enum Component {
    INBOX("inbox", "Inbox"),
    OUTBOX("outbox", "Outbox"),
    CONTROLLER("controller", "Controller"),
    DOVECOT("dovecot", "Dovecot"),
    RSPAMD("rspamd", "Rspamd"),
    REDIS("redis", "Redis"),
    UNBOUND("unbound", "Unbound");

    private final String id;
    private final String title;

    Component(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    /** Type of the per-component status condition, e.g. {@code InboxAvailable}. */
    public String conditionType() {
        return title + "Available";
    }
}
