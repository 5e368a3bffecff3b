package io.mailroom.inbox;

/** Counters the Inbox reports (Prometheus in the Quarkus service, nothing in plain tests). */
public interface InboxMetrics {
    /** One message transaction ended: {@code delivered}, {@code rejected}, {@code tempfail}, {@code partial}. */
    void message(String result);

    /** One check ran: e.g. {@code ("spf", "pass")}, {@code ("rspamd", "reject")}. */
    void check(String check, String result);

    InboxMetrics NONE = new InboxMetrics() {
        @Override
        public void message(String result) {}

        @Override
        public void check(String check, String result) {}
    };
}
