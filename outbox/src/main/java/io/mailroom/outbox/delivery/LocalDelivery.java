package io.mailroom.outbox.delivery;

import io.mailroom.common.lmtp.LmtpClient;
import io.mailroom.common.lmtp.LmtpException;
import io.mailroom.common.lmtp.SmtpReply;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.Recipient;
import io.mailroom.outbox.queue.RecipientState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recipients in local domains go to Dovecot over LMTP, as the Inbox delivers them: the address
 * is resolved (user, alias, sub-address, catch-all) to the mailbox, an unknown one fails with
 * 5.1.1.
 */
public final class LocalDelivery {
    private final AccountStore store;
    private final String lmtpHost;
    private final int lmtpPort;
    private final String hostname;
    private final int timeoutMs;

    private final java.util.function.Predicate<String> localDomain;

    public LocalDelivery(AccountStore store, java.util.function.Predicate<String> localDomain, String lmtpHost, int lmtpPort,
            String hostname, int timeoutMs) {
        this.store = store;
        this.localDomain = localDomain;
        this.lmtpHost = lmtpHost;
        this.lmtpPort = lmtpPort;
        this.hostname = hostname;
        this.timeoutMs = timeoutMs;
    }

    public boolean isLocal(String domain) {
        return localDomain.test(domain);
    }

    public List<DeliveryResult> deliver(String sender, List<RecipientState> rcpts, byte[] message) {
        String mta = "lmtp:" + lmtpHost + ":" + lmtpPort;
        List<DeliveryResult> results = new ArrayList<>();
        List<String> mailboxes = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < rcpts.size(); i++) {
            Optional<Recipient> r = store.resolveRecipient(rcpts.get(i).address());
            if (r.isEmpty()) {
                results.add(DeliveryResult.failed("5.1.1", "550 5.1.1 <" + rcpts.get(i).address() + ">: no such user here", hostname));
            } else {
                results.add(null);
                mailboxes.add(r.get().mailbox().toString());
                index.add(i);
            }
        }
        if (mailboxes.isEmpty()) {
            return results;
        }
        try (LmtpClient c = LmtpClient.connect(lmtpHost, lmtpPort, hostname, timeoutMs)) {
            List<SmtpReply> replies = c.deliver(sender, mailboxes, message);
            c.quit();
            for (int k = 0; k < index.size(); k++) {
                results.set(index.get(k), DeliveryResult.of(replies.get(k), mta));
            }
        } catch (LmtpException e) {
            fill(results, index, DeliveryResult.of(e.reply(), mta));
        } catch (IOException e) {
            fill(results, index, DeliveryResult.deferred("4.4.1", "local delivery failed: " + e.getMessage(), mta));
        }
        return results;
    }

    private static void fill(List<DeliveryResult> results, List<Integer> index, DeliveryResult r) {
        for (int i : index) {
            results.set(i, r);
        }
    }
}
