package io.mailroom.reports;

/** A report that is refused: damaged, oversized, or not a report. The message says why, for a log line or an API error. */
public class ReportException extends Exception {
    public ReportException(String reason) {
        super(reason);
    }

    public ReportException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
