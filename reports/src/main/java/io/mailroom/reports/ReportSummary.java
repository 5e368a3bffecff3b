package io.mailroom.reports;

import io.mailroom.reports.dmarc.AggregateReport;
import io.mailroom.reports.tlsrpt.TlsReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a domain owner reads from the reports received: per sending source, how many messages
 * passed, failed or could not be told apart. DMARC: per source IP, a record's messages pass when
 * its policy_evaluated shows an aligned DKIM or SPF pass, fail when both were evaluated and
 * neither passed, and are unknown otherwise. TLS-RPT: per reporting organization and policy,
 * the sessions that succeeded and failed, with the failure result types in name order (RFC 8460 §4.3).
 */
public final class ReportSummary {
    private ReportSummary() {}

    public record DmarcSource(String sourceIp, long pass, long fail, long unknown, List<String> reporters,
                              List<String> headerFrom) {}

    public record Dmarc(String domain, int reports, long messages, List<DmarcSource> sources) {}

    public record TlsSource(String organization, String policyType, String policyDomain, long successful, long failed,
                            Map<String, Long> failureTypes) {}

    public record Tls(String domain, int reports, List<TlsSource> sources) {}

    public static Dmarc dmarc(String domain, List<AggregateReport> reports) {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, TreeSet<String>> reporters = new TreeMap<>();
        Map<String, TreeSet<String>> froms = new TreeMap<>();
        long messages = 0;
        for (AggregateReport r : reports) {
            for (AggregateReport.Record rec : r.records()) {
                long[] c = counts.computeIfAbsent(rec.sourceIp(), k -> new long[3]);
                c[rec.dmarcPass() ? 0 : rec.dmarcFail() ? 1 : 2] += rec.count();
                messages += rec.count();
                reporters.computeIfAbsent(rec.sourceIp(), k -> new TreeSet<>()).add(r.metadata().orgName());
                if (rec.headerFrom() != null) {
                    froms.computeIfAbsent(rec.sourceIp(), k -> new TreeSet<>()).add(rec.headerFrom());
                }
            }
        }
        List<DmarcSource> sources = new ArrayList<>();
        counts.forEach((ip, c) -> sources.add(new DmarcSource(ip, c[0], c[1], c[2], List.copyOf(reporters.get(ip)),
                List.copyOf(froms.getOrDefault(ip, new TreeSet<>())))));
        // the sources that fail most first: that is what an owner must look at
        sources.sort(Comparator.comparingLong(DmarcSource::fail).reversed().thenComparing(DmarcSource::sourceIp));
        return new Dmarc(domain, reports.size(), messages, List.copyOf(sources));
    }

    public static Tls tls(String domain, List<TlsReport> reports) {
        Map<String, TlsSource> bySource = new LinkedHashMap<>();
        for (TlsReport r : reports) {
            for (TlsReport.Policy p : r.policies()) {
                String key = r.organizationName() + "\u0000" + p.policyType() + "\u0000" + p.policyDomain();
                TlsSource old = bySource.get(key);
                Map<String, Long> types = new TreeMap<>(old == null ? Map.of() : old.failureTypes());
                for (TlsReport.FailureDetail d : p.failures()) {
                    types.merge(d.resultType(), d.failedSessions(), Long::sum);
                }
                bySource.put(key, new TlsSource(r.organizationName(), p.policyType(), p.policyDomain(),
                        (old == null ? 0 : old.successful()) + p.successfulSessions(),
                        (old == null ? 0 : old.failed()) + p.failedSessions(), Collections.unmodifiableMap(types)));
            }
        }
        List<TlsSource> sources = new ArrayList<>(bySource.values());
        sources.sort(Comparator.comparingLong(TlsSource::failed).reversed().thenComparing(TlsSource::organization));
        return new Tls(domain, reports.size(), List.copyOf(sources));
    }
}
