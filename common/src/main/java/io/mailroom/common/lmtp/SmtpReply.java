package io.mailroom.common.lmtp;

import java.util.List;

/** One SMTP/LMTP reply: the three-digit code and its text lines (RFC 5321 §4.2). */
public record SmtpReply(int code, List<String> lines) {
    public boolean positive() {
        return code >= 200 && code < 400;
    }

    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    public boolean permanentFailure() {
        return code >= 500;
    }

    /** The text of the reply lines joined with spaces (without the code). */
    public String text() {
        return String.join(" ", lines);
    }

    /** The reply as one line, e.g. {@code 250 2.0.0 Ok}. */
    @Override
    public String toString() {
        return code + " " + text();
    }
}
