package io.mailroom.common;

/** The thing to create exists already, or the change conflicts with existing data. */
public class ConflictException extends MailRoomException {
    public ConflictException(String message) {
        super(message);
    }
}
