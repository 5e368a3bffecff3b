package io.mailroom.reports;

import io.mailroom.reports.dmarc.AggregateReport;
import io.mailroom.reports.tlsrpt.TlsReport;

/** A report found in a message: a DMARC aggregate report or an SMTP TLS report. */
public sealed interface ReceivedReport {
    record Dmarc(AggregateReport report) implements ReceivedReport {}

    record Tls(TlsReport report) implements ReceivedReport {}
}
