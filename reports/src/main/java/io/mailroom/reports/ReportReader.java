package io.mailroom.reports;

import io.mailroom.reports.dmarc.AggregateReportParser;
import io.mailroom.reports.tlsrpt.TlsReportParser;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Finds and reads the reports in a received message: DMARC aggregate reports (RFC 7489
 * appendix C, RFC 9990 §5: an XML file, gzip or zip, as the message or one of its parts) and
 * SMTP TLS reports (RFC 8460 §5.3: multipart/report with an application/tlsrpt+gzip or
 * +json part). A part is a candidate by its type or file name; what it holds is read from its
 * bytes. Every read is bounded ({@link ReportLimits}).
 */
public final class ReportReader {
    private final ReportLimits limits;
    private final AggregateReportParser dmarc;
    private final TlsReportParser tls;

    public ReportReader(ReportLimits limits) {
        this.limits = limits;
        this.dmarc = new AggregateReportParser(limits);
        this.tls = new TlsReportParser(limits);
    }

    public ReportReader() {
        this(ReportLimits.defaults());
    }

    /** A report file or attachment as it is (XML or JSON, gzip or zip). */
    public ReceivedReport read(byte[] attachment) throws ReportException {
        byte[] report = Payload.unpack(attachment, limits);
        return switch (Payload.kind(report)) {
            case XML -> new ReceivedReport.Dmarc(dmarc.parse(report));
            case JSON -> new ReceivedReport.Tls(tls.parse(report));
        };
    }

    /**
     * The reports in a message (RFC 5322 with MIME). Refused when the message holds no report
     * part, or when one of its report parts is damaged: a half-read report would give a wrong summary.
     */
    public List<ReceivedReport> readMessage(byte[] message) throws ReportException {
        if (message.length > limits.maxMessageBytes()) {
            throw new ReportException("message is larger than " + limits.maxMessageBytes() + " bytes");
        }
        List<Part> candidates = new ArrayList<>();
        try {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
            collect(m, 0, candidates, new int[] {0});
            if (candidates.isEmpty()) {
                throw new ReportException("no report attachment (gzip, zip, XML or TLS-RPT JSON) in the message");
            }
            List<ReceivedReport> out = new ArrayList<>();
            for (Part p : candidates) {
                byte[] data;
                try (InputStream in = p.getInputStream()) {
                    data = BoundedInput.read(in, limits.maxAttachmentBytes(), "attachment");
                }
                out.add(read(data));
            }
            return out;
        } catch (MessagingException | IOException | RuntimeException e) {
            throw new ReportException("message does not parse as MIME: " + e.getMessage());
        }
    }

    private void collect(Part part, int depth, List<Part> out, int[] seen) throws MessagingException, IOException, ReportException {
        if (++seen[0] > limits.maxMimeParts()) {
            throw new ReportException("message has more than " + limits.maxMimeParts() + " MIME parts");
        }
        if (part.isMimeType("multipart/*")) {
            if (depth >= limits.maxMimeDepth()) {
                throw new ReportException("multipart nested deeper than " + limits.maxMimeDepth());
            }
            Multipart mp = new MimeMultipart(part.getDataHandler().getDataSource());
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart b = mp.getBodyPart(i);
                collect(b, depth + 1, out, seen);
            }
            return;
        }
        if (isReport(part)) {
            out.add(part);
        }
    }

    /** By type (RFC 9990 §5 application/gzip and the zip most senders use, RFC 8460 §6.4-6.5) or by file name. */
    private static boolean isReport(Part part) throws MessagingException {
        String type = part.getContentType() == null ? "" : part.getContentType().toLowerCase(Locale.ROOT);
        String base = type.contains(";") ? type.substring(0, type.indexOf(';')).strip() : type.strip();
        if (List.of("application/gzip", "application/x-gzip", "application/zip", "application/x-zip-compressed",
                "application/tlsrpt+gzip", "application/tlsrpt+json", "text/xml", "application/xml").contains(base)) {
            return true;
        }
        String name = null;
        try {
            name = part.getFileName();
        } catch (MessagingException e) {
            // an unreadable name is no name
        }
        if (name == null) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".xml.gz") || n.endsWith(".zip") || n.endsWith(".xml") || n.endsWith(".json.gz") || n.endsWith(".json");
    }
}
