package io.mailroom.inbox;

import io.mailroom.common.smtp.MailParameters;
import java.util.List;

/** Sends RFC 3464 "delivered" notices for recipients that asked NOTIFY=SUCCESS (RFC 3461 §5.2.2). */
public interface SuccessNotices {
    void send(MailParameters mail, List<InboxTransaction.Target> targets, byte[] original, String queueId);

    SuccessNotices NONE = (mail, targets, original, queueId) -> { };
}
