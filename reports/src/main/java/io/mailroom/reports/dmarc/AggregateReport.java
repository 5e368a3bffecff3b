package io.mailroom.reports.dmarc;

import java.util.List;

/**
 * A DMARC aggregate report as received (RFC 7489 appendix C; RFC 9990 §3 and its schema).
 * Keyword values (dispositions, results, policies) are lower-cased as the schemas write them;
 * optional elements absent from the report are null.
 */
public record AggregateReport(String version, Metadata metadata, PolicyPublished policy, List<Record> records) {

    /** {@code report_metadata}. Times are seconds since the epoch (UTC). */
    public record Metadata(String orgName, String email, String extraContactInfo, String reportId, long begin, long end,
                           List<String> errors, String generator) {}

    /** {@code policy_published}: the policy the reporter found for the domain. */
    public record PolicyPublished(String domain, String adkim, String aspf, String p, String sp, String np, Integer pct,
                                  String fo, String testing, String discoveryMethod) {}

    /** One {@code record}: a source, how many messages, what was done and why. */
    public record Record(String sourceIp, long count, String disposition, String dkim, String spf, List<Reason> reasons,
                         String envelopeTo, String envelopeFrom, String headerFrom, List<DkimAuth> dkimResults,
                         List<SpfAuth> spfResults) {

        /** DMARC passed when SPF or DKIM passed aligned ({@code policy_evaluated}, RFC 7489 appendix C). */
        public boolean dmarcPass() {
            return "pass".equals(dkim) || "pass".equals(spf);
        }

        /** Both evaluated and neither passed. */
        public boolean dmarcFail() {
            return !dmarcPass() && dkim != null && spf != null;
        }
    }

    /** {@code reason}: why the disposition differs from the policy (forwarded, local policy, ...). */
    public record Reason(String type, String comment) {}

    public record DkimAuth(String domain, String selector, String result, String humanResult) {}

    public record SpfAuth(String domain, String scope, String result, String humanResult) {}
}
