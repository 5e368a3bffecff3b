package io.mailroom.common.smtp;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * What one SMTP session may spend on commands that lead nowhere: refused RCPTs (address probing)
 * and MAIL transactions (MAIL/RSET cycles, each one a round of checks for us). Past either limit
 * the session ends with 421 4.7.0 (RFC 5321 §3.8), as Postfix's smtpd_hard_error_limit does.
 * SubEthaSMTP's Session carries no attributes, so the counts live here, weakly keyed by session.
 */
final class SessionBudget {
    private static final class Counts {
        int refusedRecipients;
        int transactions;
    }

    private final int maxRefusedRecipients;
    private final int maxTransactions;
    private final Map<Session, Counts> sessions = Collections.synchronizedMap(new WeakHashMap<>());

    SessionBudget(SmtpServerSettings settings) {
        this.maxRefusedRecipients = settings.maxRefusedRecipients();
        this.maxTransactions = settings.maxTransactions();
    }

    private Counts counts(Session s) {
        return sessions.computeIfAbsent(s, k -> new Counts());
    }

    /** Called for every MAIL command; throws for the one beyond the limit. */
    void mail(Session s) throws DropConnectionException {
        Counts c = counts(s);
        synchronized (c) {
            if (++c.transactions > maxTransactions) {
                throw new DropConnectionException(421, "4.7.0 Too many transactions in one session, closing connection");
            }
        }
    }

    /** Called for every refused RCPT before its reply is sent; throws instead once the limit is passed. */
    void refusedRecipient(Session s) throws DropConnectionException {
        Counts c = counts(s);
        synchronized (c) {
            if (++c.refusedRecipients > maxRefusedRecipients) {
                throw new DropConnectionException(421, "4.7.0 Too many refused recipients, closing connection");
            }
        }
    }
}
