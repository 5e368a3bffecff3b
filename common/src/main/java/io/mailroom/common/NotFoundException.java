package io.mailroom.common;

/** The named user, alias or domain does not exist. */
public class NotFoundException extends MailRoomException {
    public NotFoundException(String message) {
        super(message);
    }
}
