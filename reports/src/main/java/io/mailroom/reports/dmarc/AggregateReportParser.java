package io.mailroom.reports.dmarc;

import io.mailroom.reports.ReportException;
import io.mailroom.reports.ReportLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads DMARC aggregate report XML (RFC 7489 appendix C, RFC 9990 schema) into an
 * {@link AggregateReport}. Unknown elements (extensions, vendor additions) are skipped; what a
 * summary depends on is checked: the report id, the date range, the published domain, and in
 * each record a source IP address literal and a non-negative count.
 */
public final class AggregateReportParser {
    /** An IPv4 or IPv6 literal: checked before InetAddress sees it, so no name is ever resolved. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]{0,40}:[0-9A-Fa-f:.]{1,40}");

    private final ReportLimits limits;

    public AggregateReportParser(ReportLimits limits) {
        this.limits = limits;
    }

    public AggregateReport parse(byte[] xml) throws ReportException {
        XmlTree root = XmlTree.parse(xml, limits);
        if (!root.name().equals("feedback")) {
            throw new ReportException("not a DMARC aggregate report: the root element is <" + root.name() + ">, not <feedback>");
        }
        XmlTree meta = required(root, "report_metadata");
        XmlTree range = required(meta, "date_range");
        long begin = number(range, "begin");
        long end = number(range, "end");
        if (end < begin) {
            throw new ReportException("date_range ends before it begins");
        }
        AggregateReport.Metadata metadata = new AggregateReport.Metadata(requiredText(meta, "org_name"), meta.text("email"),
                meta.text("extra_contact_info"), requiredText(meta, "report_id"), begin, end,
                meta.all("error").stream().map(XmlTree::text).toList(), meta.text("generator"));
        XmlTree pp = required(root, "policy_published");
        String pct = pp.text("pct");
        AggregateReport.PolicyPublished policy = new AggregateReport.PolicyPublished(
                requiredText(pp, "domain").toLowerCase(Locale.ROOT), lower(pp, "adkim"), lower(pp, "aspf"), lower(pp, "p"),
                lower(pp, "sp"), lower(pp, "np"), pct == null || !pct.matches("[0-9]{1,3}") ? null : Integer.valueOf(pct),
                lower(pp, "fo"), lower(pp, "testing"), lower(pp, "discovery_method"));
        List<XmlTree> recordElements = root.all("record");
        if (recordElements.size() > limits.maxRecords()) {
            throw new ReportException("more than " + limits.maxRecords() + " records");
        }
        List<AggregateReport.Record> records = new ArrayList<>();
        for (XmlTree r : recordElements) {
            records.add(record(r, records.size() + 1));
        }
        return new AggregateReport(root.text("version"), metadata, policy, List.copyOf(records));
    }

    private AggregateReport.Record record(XmlTree r, int n) throws ReportException {
        XmlTree row = required(r, "row", n);
        String ip = requiredText(row, "source_ip");
        if (!IP_LITERAL.matcher(ip).matches()) {
            throw new ReportException("record " + n + ": source_ip is not an IP address");
        }
        String canonical;
        try {
            canonical = InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            throw new ReportException("record " + n + ": source_ip is not an IP address");
        }
        long count = number(row, "count");
        XmlTree pe = row.child("policy_evaluated");
        List<AggregateReport.Reason> reasons = new ArrayList<>();
        if (pe != null) {
            for (XmlTree reason : pe.all("reason")) {
                reasons.add(new AggregateReport.Reason(lower(reason, "type"), reason.text("comment")));
            }
        }
        XmlTree ids = required(r, "identifiers", n);
        XmlTree auth = r.child("auth_results");
        List<AggregateReport.DkimAuth> dkim = new ArrayList<>();
        List<AggregateReport.SpfAuth> spf = new ArrayList<>();
        if (auth != null) {
            for (XmlTree d : auth.all("dkim")) {
                dkim.add(new AggregateReport.DkimAuth(lower(d, "domain"), d.text("selector"), lower(d, "result"), d.text("human_result")));
            }
            for (XmlTree s : auth.all("spf")) {
                spf.add(new AggregateReport.SpfAuth(lower(s, "domain"), lower(s, "scope"), lower(s, "result"), s.text("human_result")));
            }
        }
        return new AggregateReport.Record(canonical, count, pe == null ? null : lower(pe, "disposition"),
                pe == null ? null : lower(pe, "dkim"), pe == null ? null : lower(pe, "spf"), List.copyOf(reasons),
                lower(ids, "envelope_to"), lower(ids, "envelope_from"), lower(ids, "header_from"), List.copyOf(dkim), List.copyOf(spf));
    }

    private static XmlTree required(XmlTree parent, String name) throws ReportException {
        XmlTree c = parent.child(name);
        if (c == null) {
            throw new ReportException("<" + parent.name() + "> has no <" + name + ">");
        }
        return c;
    }

    private static XmlTree required(XmlTree parent, String name, int record) throws ReportException {
        XmlTree c = parent.child(name);
        if (c == null) {
            throw new ReportException("record " + record + " has no <" + name + ">");
        }
        return c;
    }

    private static String requiredText(XmlTree parent, String name) throws ReportException {
        String t = parent.text(name);
        if (t == null) {
            throw new ReportException("<" + parent.name() + "> has no <" + name + "> or it is empty");
        }
        return t;
    }

    private static long number(XmlTree parent, String name) throws ReportException {
        String t = requiredText(parent, name);
        if (!t.matches("[0-9]{1,18}")) {
            throw new ReportException("<" + name + "> is not a non-negative number");
        }
        return Long.parseLong(t);
    }

    private static String lower(XmlTree parent, String name) {
        String t = parent.text(name);
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }
}
