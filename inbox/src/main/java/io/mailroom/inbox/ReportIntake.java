package io.mailroom.inbox;

import io.mailroom.common.store.ReceivedReports;
import io.mailroom.reports.ReceivedReport;
import io.mailroom.reports.ReportException;
import io.mailroom.reports.ReportReader;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the DMARC aggregate and TLS reports that arrive at a domain's report address, after
 * Dovecot has the message (the raw report stays in the mailbox), and stores them for the
 * Controller's summaries. The address is the one our DMARC and TLS-RPT records publish
 * ({@code rua=mailto:postmaster@<domain>}, common/dns/DnsRecords). Mail there that is no report,
 * or a damaged one, is only logged: it was delivered like any other mail.
 */
public final class ReportIntake {
    private static final Logger LOG = Logger.getLogger(ReportIntake.class.getName());
    /** The local part of the report address DnsRecords publishes. */
    static final String REPORT_LOCAL_PART = "postmaster";

    private final ReceivedReports store;
    private final ReportReader reader = new ReportReader();

    public ReportIntake(ReceivedReports store) {
        this.store = store;
    }

    /** Called once a message has been delivered to {@code recipients} (as the client gave them). */
    void delivered(List<String> recipients, byte[] message, String queueId) {
        Set<String> domains = new LinkedHashSet<>();
        for (String r : recipients) {
            int at = r.lastIndexOf('@');
            if (at > 0 && r.substring(0, at).toLowerCase(Locale.ROOT).equals(REPORT_LOCAL_PART)) {
                domains.add(r.substring(at + 1).toLowerCase(Locale.ROOT));
            }
        }
        if (domains.isEmpty()) {
            return;
        }
        List<ReceivedReport> reports;
        try {
            reports = reader.readMessage(message);
        } catch (ReportException e) {
            LOG.info(() -> queueId + ": mail to the report address is no readable report: " + e.getMessage());
            return;
        }
        for (String domain : domains) {
            for (ReceivedReport r : reports) {
                try {
                    String id = store.store(domain, r);
                    LOG.info(() -> queueId + ": stored " + (r instanceof ReceivedReport.Dmarc ? "DMARC" : "TLS")
                            + " report " + id + " for " + domain);
                } catch (ReportException e) {
                    LOG.info(() -> queueId + ": report not kept for " + domain + ": " + e.getMessage());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, queueId + ": storing a report for " + domain + " failed", e);
                }
            }
        }
    }
}
