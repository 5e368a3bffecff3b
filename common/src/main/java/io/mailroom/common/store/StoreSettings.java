package io.mailroom.common.store;

import java.nio.file.Path;

/**
 * What the account store needs to know about the installation.
 *
 * @param mailRoot            directory under which Dovecot keeps mailboxes ({@code <root>/<domain>/<local>})
 * @param subaddressDelimiter separator of {@code user+tag} sub-addresses
 * @param bcryptCost          bcrypt cost for new password hashes
 */
public record StoreSettings(Path mailRoot, char subaddressDelimiter, int bcryptCost) {
    public static StoreSettings defaults(Path mailRoot) {
        return new StoreSettings(mailRoot, '+', io.mailroom.common.password.PasswordHasher.DEFAULT_COST);
    }
}
