package io.mailroom.reports.tlsrpt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.reports.ReportException;
import io.mailroom.reports.ReportLimits;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads RFC 8460 JSON (§4) into a {@link TlsReport}. Jackson reads it with bounded nesting,
 * string and document sizes, and refuses duplicate keys (two readings of one report). The
 * fields a summary needs are required: report-id, date-range, per policy its type, domain and
 * summary counts.
 */
public final class TlsReportParser {
    private final ReportLimits limits;
    private final ObjectMapper json;

    public TlsReportParser(ReportLimits limits) {
        this.limits = limits;
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxDepth())
                        .maxStringLength(limits.maxTextChars()).maxDocumentLength(limits.maxReportBytes()).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        this.json = new ObjectMapper(f);
    }

    public TlsReport parse(byte[] report) throws ReportException {
        JsonNode root;
        try {
            root = json.readTree(report);
        } catch (JsonProcessingException e) {
            throw new ReportException("TLS report JSON does not parse: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ReportException("TLS report JSON does not parse: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ReportException("TLS report is not a JSON object");
        }
        JsonNode range = object(root, "date-range");
        Instant start = instant(range, "start-datetime");
        Instant end = instant(range, "end-datetime");
        if (end.isBefore(start)) {
            throw new ReportException("date-range ends before it begins");
        }
        JsonNode policies = root.get("policies");
        if (policies == null || !policies.isArray()) {
            throw new ReportException("TLS report has no policies array");
        }
        if (policies.size() > limits.maxRecords()) {
            throw new ReportException("more than " + limits.maxRecords() + " policies");
        }
        List<TlsReport.Policy> out = new ArrayList<>();
        int details = 0;
        for (JsonNode p : policies) {
            JsonNode policy = object(p, "policy");
            JsonNode summary = object(p, "summary");
            List<TlsReport.FailureDetail> failures = new ArrayList<>();
            JsonNode fd = p.get("failure-details");
            if (fd != null && fd.isArray()) {
                details += fd.size();
                if (details > limits.maxRecords()) {
                    throw new ReportException("more than " + limits.maxRecords() + " failure details");
                }
                for (JsonNode d : fd) {
                    failures.add(new TlsReport.FailureDetail(lower(requiredText(d, "result-type")), text(d, "sending-mta-ip"),
                            text(d, "receiving-mx-hostname"), text(d, "receiving-mx-helo"), text(d, "receiving-ip"),
                            count(d, "failed-session-count"), text(d, "additional-information"), text(d, "failure-reason-code")));
                }
            }
            String type = lower(requiredText(policy, "policy-type"));
            if (!List.of("tlsa", "sts", "no-policy-found").contains(type)) {
                throw new ReportException("policy-type '" + type + "' is none of tlsa, sts, no-policy-found (RFC 8460 §4.4)");
            }
            out.add(new TlsReport.Policy(type, strings(policy, "policy-string"),
                    lower(requiredText(policy, "policy-domain")), strings(policy, "mx-host"),
                    count(summary, "total-successful-session-count"), count(summary, "total-failure-session-count"),
                    List.copyOf(failures)));
        }
        return new TlsReport(requiredText(root, "organization-name"), start, end, text(root, "contact-info"),
                requiredText(root, "report-id"), List.copyOf(out));
    }

    private static JsonNode object(JsonNode parent, String name) throws ReportException {
        JsonNode n = parent.get(name);
        if (n == null || !n.isObject()) {
            throw new ReportException("TLS report has no \"" + name + "\" object");
        }
        return n;
    }

    private static String text(JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        return n == null || !n.isTextual() ? null : n.asText();
    }

    private static String requiredText(JsonNode parent, String name) throws ReportException {
        String t = text(parent, name);
        if (t == null || t.isBlank()) {
            throw new ReportException("TLS report has no \"" + name + "\" string");
        }
        return t;
    }

    private static long count(JsonNode parent, String name) throws ReportException {
        JsonNode n = parent.get(name);
        if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new ReportException("\"" + name + "\" is not a non-negative integer");
        }
        return n.asLong();
    }

    private static Instant instant(JsonNode parent, String name) throws ReportException {
        try {
            return Instant.parse(requiredText(parent, name)); // RFC 3339 date-time in UTC (§4.4)
        } catch (DateTimeParseException e) {
            throw new ReportException("\"" + name + "\" is not an RFC 3339 date-time");
        }
    }

    private static List<String> strings(JsonNode parent, String name) {
        JsonNode n = parent.get(name);
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(s -> {
                if (s.isTextual()) {
                    out.add(s.asText());
                }
            });
        }
        return List.copyOf(out);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
