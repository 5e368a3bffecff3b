package io.mailroom.common.lmtp;

import java.io.IOException;

/** The LMTP server refused a step of the session as a whole (greeting, LHLO, MAIL FROM). */
public class LmtpException extends IOException {
    private final transient SmtpReply reply;

    public LmtpException(String step, SmtpReply reply) {
        super("LMTP " + step + " refused: " + reply);
        this.reply = reply;
    }

    public SmtpReply reply() {
        return reply;
    }
}
