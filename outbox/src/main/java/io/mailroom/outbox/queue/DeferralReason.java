package io.mailroom.outbox.queue;

import java.util.Locale;

/**
 * Why a recipient was deferred, by the subject of its enhanced status code (RFC 3463 §3.1: the
 * middle number of {@code 4.x.y}). A fixed, small set, so it can label a metric.
 */
public enum DeferralReason {
    OTHER, ADDRESS, MAILBOX, MAIL_SYSTEM, NETWORK, PROTOCOL, CONTENT, POLICY;

    public static DeferralReason of(String status) {
        if (status == null) {
            return OTHER;
        }
        String[] p = status.split("\\.");
        if (p.length != 3) {
            return OTHER;
        }
        return switch (p[1]) {
            case "1" -> ADDRESS;
            case "2" -> MAILBOX;
            case "3" -> MAIL_SYSTEM;
            case "4" -> NETWORK;
            case "5" -> PROTOCOL;
            case "6" -> CONTENT;
            case "7" -> POLICY;
            default -> OTHER;
        };
    }

    /** The metric label: {@code mail_system}, {@code network}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
