package io.mailroom.inbox;

import io.mailroom.common.dsn.DsnBuilder;
import io.mailroom.common.dsn.DsnRecipient;
import io.mailroom.common.dsn.DsnReturn;
import io.mailroom.common.lmtp.LmtpClient;
import io.mailroom.common.smtp.MailParameters;
import io.mailroom.common.store.Recipient;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends the RFC 3464 "delivered" notice for recipients that asked NOTIFY=SUCCESS (RFC 3461
 * §5.2.2: the final delivery agent reports success). Built with {@code common}'s {@link DsnBuilder},
 * sent with the null reverse path. The Inbox only delivers into local mailboxes, so a notice
 * reaches a sender in one of our domains (over LMTP); for a remote sender it is logged and not
 * sent — that needs the Outbox's queue, which the Inbox does not use.
 */
final class SuccessNotices {
    private static final Logger LOG = Logger.getLogger(SuccessNotices.class.getName());

    private final InboxPipeline pipeline;

    SuccessNotices(InboxPipeline pipeline) {
        this.pipeline = pipeline;
    }

    void send(MailParameters mail, List<InboxTransaction.Target> targets, byte[] original, String queueId) {
        List<DsnRecipient> delivered = new ArrayList<>();
        for (InboxTransaction.Target t : targets) {
            if (t.rcpt().notifySuccess()) {
                String orcpt = t.rcpt().originalRecipient() != null ? t.rcpt().originalRecipient()
                        : "rfc822;" + t.rcpt().address();
                delivered.add(DsnRecipient.delivered(orcpt, t.rcpt().address(), "250 2.0.0 delivered to mailbox",
                        pipeline.settings().smtp().hostName()));
            }
        }
        if (delivered.isEmpty() || mail.nullSender()) {
            return; // never a notice to the null sender (RFC 3461 §6.2)
        }
        int at = mail.address().lastIndexOf('@');
        Optional<Recipient> sender = at > 0 && pipeline.accounts().isLocalDomain(mail.address().substring(at + 1))
                ? pipeline.accounts().resolveRecipient(mail.address()) : Optional.empty();
        if (sender.isEmpty()) {
            LOG.info(queueId + ": success notice for remote sender " + mail.address() + " not sent (no outbound queue in the Inbox)");
            return;
        }
        DsnBuilder dsn = new DsnBuilder(pipeline.settings().smtp().hostName()).to(mail.address())
                .envelopeId(mail.envelopeId()).arrivalDate(Instant.now())
                .returnContent(mail.ret() == null ? DsnReturn.HDRS : DsnReturn.parse(mail.ret()))
                .originalMessage(original);
        delivered.forEach(dsn::recipient);
        InboxSettings s = pipeline.settings();
        try (LmtpClient lmtp = LmtpClient.connect(s.lmtpHost(), s.lmtpPort(), s.smtp().hostName(),
                (int) s.lmtpTimeout().toMillis())) {
            lmtp.deliver("", List.of(sender.get().mailbox().toString()), dsn.build());
            lmtp.quit();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, queueId + ": success notice to " + mail.address() + " failed: " + e.getMessage());
        }
    }
}
