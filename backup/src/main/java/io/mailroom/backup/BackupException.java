package io.mailroom.backup;

import io.mailroom.common.MailRoomException;

/** A backup, verify or restore that failed; the message says why and is safe to show (no secrets). */
public class BackupException extends MailRoomException {
    public BackupException(String message) {
        super(message);
    }

    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
