package io.mailroom.outbox.queue;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One delivery attempt for one recipient, as kept in its history.
 *
 * @param at        when the attempt ended
 * @param outcome   {@code delivered}, {@code deferred}, {@code failed}; {@code bounced} when an administrator returned it
 * @param reply     the peer's reply or our own diagnostic
 * @param remoteMta the host that answered, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Attempt(Instant at, String outcome, String reply, String remoteMta) {}
