package io.mailroom.inbox;

import java.util.Locale;

/** What the Inbox does with a check's failure: nothing, a header, or a refusal. */
public enum CheckPolicy {
    /** Not run. */
    OFF,
    /** Run, result recorded in Authentication-Results / X-Spam headers, never refuses. */
    TAG,
    /** Run, and a failure that the check's RFC lets a receiver refuse is refused. */
    ENFORCE;

    public static CheckPolicy parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    public boolean enabled() {
        return this != OFF;
    }
}
