package io.mailroom.common.store;

import io.mailroom.common.address.EmailAddress;

/** An alias: mail for {@code address} goes to the local user {@code target}. */
public record Alias(EmailAddress address, EmailAddress target) {}
