package io.mailroom.common;

/** Input that breaks a rule (malformed address, empty password, unknown domain...); the message says which. */
public class InvalidInputException extends MailRoomException {
    public InvalidInputException(String message) {
        super(message);
    }
}
