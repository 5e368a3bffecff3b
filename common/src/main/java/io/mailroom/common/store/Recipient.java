package io.mailroom.common.store;

import io.mailroom.common.address.EmailAddress;

/**
 * The result of resolving an address to a mailbox.
 *
 * @param requested the address as given (canonical form)
 * @param mailbox   the user whose mailbox receives the mail
 * @param via       how the address was resolved
 * @param detail    the sub-address tag ({@code tag} of {@code user+tag}) or null
 */
public record Recipient(EmailAddress requested, EmailAddress mailbox, Via via, String detail) {
    public enum Via { USER, ALIAS, CATCH_ALL, POSTMASTER }
}
