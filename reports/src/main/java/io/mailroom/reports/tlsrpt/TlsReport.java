package io.mailroom.reports.tlsrpt;

import java.time.Instant;
import java.util.List;

/** An SMTP TLS report as received (RFC 8460 §4): who reports, for when, and per policy what happened. */
public record TlsReport(String organizationName, Instant start, Instant end, String contactInfo, String reportId,
                        List<Policy> policies) {

    /** One {@code policies} entry (§4.3, §4.4). */
    public record Policy(String policyType, List<String> policyString, String policyDomain, List<String> mxHost,
                         long successfulSessions, long failedSessions, List<FailureDetail> failures) {}

    /** One {@code failure-details} entry (§4.3, result types §4.3 / §4.4). */
    public record FailureDetail(String resultType, String sendingMtaIp, String receivingMxHostname, String receivingMxHelo,
                                String receivingIp, long failedSessions, String additionalInformation, String failureReasonCode) {}
}
