package io.mailroom.common.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.mailroom.common.address.Domains;
import io.mailroom.reports.ReceivedReport;
import io.mailroom.reports.ReportException;
import io.mailroom.reports.ReportSummary;
import io.mailroom.reports.dmarc.AggregateReport;
import io.mailroom.reports.tlsrpt.TlsReport;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The DMARC aggregate and TLS reports received for our domains ({@link RedisKeys#DMARC_REPORTS},
 * {@link RedisKeys#TLS_REPORTS}), and their per-source summaries. A report is kept only for the
 * domain it is about and that received it: anyone can mail postmaster@, so a report about
 * another domain, one too large, or one more than {@value #MAX_REPORTS_PER_DOMAIN} per domain is
 * refused, not stored.
 */
public final class ReceivedReports {
    /** About a year of daily reports from a few hundred reporters. */
    public static final int MAX_REPORTS_PER_DOMAIN = 20_000;
    /** The JSON of one stored report. */
    public static final int MAX_REPORT_JSON = 4 << 20;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private final HashCommands<String, String, String> hashes;

    public ReceivedReports(RedisDataSource redis) {
        this.hashes = redis.hash(String.class);
    }

    /**
     * Stores a report that arrived for {@code domain}; refused (with why) when it is about another domain.
     *
     * @return the stored report's field, {@code <reporter>!<report id>}
     */
    public String store(String domain, ReceivedReport report) throws ReportException {
        String d = Domains.canonical(domain);
        return switch (report) {
            case ReceivedReport.Dmarc r -> {
                String about = r.report().policy().domain();
                if (!covers(d, about)) {
                    throw new ReportException("DMARC report is about " + about + ", not " + d);
                }
                yield put(RedisKeys.dmarcReports(d), r.report().metadata().orgName() + "!" + r.report().metadata().reportId(), r.report());
            }
            case ReceivedReport.Tls r -> {
                for (TlsReport.Policy p : r.report().policies()) {
                    if (!p.policyType().equals("no-policy-found") && !covers(d, p.policyDomain())) {
                        throw new ReportException("TLS report is about " + p.policyDomain() + ", not " + d);
                    }
                }
                yield put(RedisKeys.tlsReports(d), r.report().organizationName() + "!" + r.report().reportId(), r.report());
            }
        };
    }

    /** The domain itself or one of its subdomains (an sp= policy's reports come to the organizational domain). */
    private static boolean covers(String domain, String about) {
        String a = about == null ? "" : about.toLowerCase(Locale.ROOT);
        return a.equals(domain) || a.endsWith("." + domain);
    }

    private String put(String key, String field, Object report) throws ReportException {
        String json;
        try {
            json = JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        if (json.length() > MAX_REPORT_JSON) {
            throw new ReportException("report is too large to keep (" + json.length() + " characters of JSON)");
        }
        if (hashes.hlen(key) >= MAX_REPORTS_PER_DOMAIN && !hashes.hexists(key, field)) {
            throw new ReportException("already " + MAX_REPORTS_PER_DOMAIN + " reports kept for the domain");
        }
        hashes.hset(key, field, json);
        return field;
    }

    public List<AggregateReport> dmarcReports(String domain) {
        return read(RedisKeys.dmarcReports(Domains.canonical(domain)), AggregateReport.class);
    }

    public List<TlsReport> tlsReports(String domain) {
        return read(RedisKeys.tlsReports(Domains.canonical(domain)), TlsReport.class);
    }

    public ReportSummary.Dmarc dmarcSummary(String domain) {
        return ReportSummary.dmarc(Domains.canonical(domain), dmarcReports(domain));
    }

    public ReportSummary.Tls tlsSummary(String domain) {
        return ReportSummary.tls(Domains.canonical(domain), tlsReports(domain));
    }

    private <T> List<T> read(String key, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (String json : hashes.hgetall(key).values()) {
            try {
                out.add(JSON.readValue(json, type));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
