package io.mailroom.operator.mailroom;

/** The workloads of an installation. */
public enum Component {
    INBOX("inbox", "Inbox", true),
    OUTBOX("outbox", "Outbox", true),
    CONTROLLER("controller", "Controller", true),
    DOVECOT("dovecot", "Dovecot", false),
    RSPAMD("rspamd", "Rspamd", false),
    REDIS("redis", "Redis", false),
    UNBOUND("unbound", "Unbound", false);

    private final String id;
    private final String title;
    private final boolean java;

    Component(String id, String title, boolean java) {
        this.id = id;
        this.title = title;
        this.java = java;
    }

    public String id() {
        return id;
    }

    /** Our own Quarkus services (health endpoints under /q/health). */
    public boolean isJava() {
        return java;
    }

    /** Type of the per-component status condition, e.g. {@code InboxAvailable}. */
    public String conditionType() {
        return title + "Available";
    }
}
