package io.mailroom.common;

/** A failure whose message is safe to show to a user or API client (never holds secrets). */
public class MailRoomException extends RuntimeException {
    public MailRoomException(String message) {
        super(message);
    }

    public MailRoomException(String message, Throwable cause) {
        super(message, cause);
    }
}
