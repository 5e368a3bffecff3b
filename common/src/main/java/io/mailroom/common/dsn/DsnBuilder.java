package io.mailroom.common.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds a delivery status notification (RFC 3464): a {@code multipart/report;
 * report-type=delivery-status} message with a human-readable part, a
 * {@code message/delivery-status} part (one block per recipient) and the original message or
 * its header per {@link DsnReturn}. The result is a complete RFC 5322 message with CRLF line
 * ends, to be sent with the null reverse path ({@code MAIL FROM:<>}).
 *
 * <pre>
 * byte[] dsn = new DsnBuilder("mail.example.com")
 *         .to("alice@example.com")
 *         .envelopeId(envid)                 // ENVID of the original submission, may be null
 *         .arrivalDate(queuedAt)
 *         .returnContent(DsnReturn.HDRS)     // RET of the original submission
 *         .originalMessage(bytes)
 *         .recipient(DsnRecipient.failed("rfc822;bob@example.net", "bob@example.net", "5.1.1",
 *                 "550 5.1.1 no such user", "mx.example.net"))
 *         .build();
 * </pre>
 *
 * Values that come from the network (diagnostics, addresses) are stripped of control characters so
 * that they cannot inject header fields.
 */
public final class DsnBuilder {
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    private static final int MAX_FIELD = 900;

    private final String reportingMta;
    private String from;
    private String to;
    private String envelopeId;
    private Instant arrivalDate;
    private DsnReturn ret = DsnReturn.HDRS;
    private byte[] original;
    private final List<DsnRecipient> recipients = new ArrayList<>();
    private Instant date;
    private String messageId;

    /** @param reportingMta host name of the MTA writing the report ({@code Reporting-MTA: dns; host}) */
    public DsnBuilder(String reportingMta) {
        this.reportingMta = clean(Objects.requireNonNull(reportingMta));
        this.from = "MAILER-DAEMON@" + this.reportingMta;
    }

    /** The {@code From:} address; default {@code MAILER-DAEMON@<reporting MTA>}. */
    public DsnBuilder from(String address) {
        this.from = clean(address);
        return this;
    }

    /** The recipient of the report: the original envelope sender. */
    public DsnBuilder to(String address) {
        this.to = clean(address);
        return this;
    }

    /** The ENVID of the original transaction (already xtext-decoded), or null. */
    public DsnBuilder envelopeId(String envid) {
        this.envelopeId = envid == null ? null : clean(envid);
        return this;
    }

    public DsnBuilder arrivalDate(Instant when) {
        this.arrivalDate = when;
        return this;
    }

    public DsnBuilder returnContent(DsnReturn ret) {
        this.ret = ret == null ? DsnReturn.HDRS : ret;
        return this;
    }

    /** The original message (CRLF or LF line ends); without it the report has no third part. */
    public DsnBuilder originalMessage(byte[] message) {
        this.original = message;
        return this;
    }

    public DsnBuilder recipient(DsnRecipient r) {
        recipients.add(r);
        return this;
    }

    public DsnBuilder recipients(List<DsnRecipient> rs) {
        recipients.addAll(rs);
        return this;
    }

    /** The Date of the report; default now. */
    public DsnBuilder date(Instant when) {
        this.date = when;
        return this;
    }

    /** The Message-ID of the report (without angle brackets); default a random one at the reporting MTA. */
    public DsnBuilder messageId(String id) {
        this.messageId = clean(id);
        return this;
    }

    public byte[] build() {
        if (to == null) {
            throw new IllegalStateException("a DSN needs a recipient (the original sender)");
        }
        if (recipients.isEmpty()) {
            throw new IllegalStateException("a DSN needs at least one recipient block");
        }
        String boundary = "dsn-" + UUID.randomUUID();
        Instant now = date == null ? Instant.now() : date;
        String id = messageId == null ? UUID.randomUUID() + "@" + reportingMta : messageId;
        StringBuilder h = new StringBuilder();
        h.append("From: Mail Delivery System <").append(from).append(">\r\n");
        h.append("To: <").append(to).append(">\r\n");
        h.append("Subject: ").append(subject()).append("\r\n");
        h.append("Date: ").append(rfc5322(now)).append("\r\n");
        h.append("Message-ID: <").append(id).append(">\r\n");
        h.append("Auto-Submitted: auto-replied\r\n");
        h.append("MIME-Version: 1.0\r\n");
        h.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n");
        h.append("\r\n");
        h.append("This is a MIME-encapsulated message.\r\n\r\n");

        h.append("--").append(boundary).append("\r\n");
        h.append("Content-Type: text/plain; charset=utf-8\r\n");
        h.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        h.append(humanText());
        h.append("\r\n--").append(boundary).append("\r\n");
        h.append("Content-Type: message/delivery-status\r\n\r\n");
        h.append(statusFields());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        if (original != null) {
            byte[] msg = crlf(original);
            byte[] part = ret == DsnReturn.FULL ? msg : headerOf(msg);
            boolean utf8Headers = hasNonAscii(headerOf(msg));
            String type = ret == DsnReturn.FULL
                    ? (utf8Headers ? "message/global" : "message/rfc822")
                    : (utf8Headers ? "message/global-headers" : "text/rfc822-headers");
            StringBuilder p = new StringBuilder();
            p.append("\r\n--").append(boundary).append("\r\n");
            p.append("Content-Type: ").append(type).append("\r\n");
            p.append("Content-Description: ").append(ret == DsnReturn.FULL ? "Undelivered Message" : "Undelivered Message Headers").append("\r\n");
            if (hasNonAscii(part)) {
                p.append("Content-Transfer-Encoding: 8bit\r\n");
            }
            p.append("\r\n");
            out.writeBytes(p.toString().getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(part);
            if (part.length > 0 && part[part.length - 1] != '\n') {
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private String subject() {
        boolean failed = recipients.stream().anyMatch(r -> r.action() == DsnAction.FAILED);
        boolean delayed = recipients.stream().anyMatch(r -> r.action() == DsnAction.DELAYED);
        if (failed) {
            return "Undelivered Mail Returned to Sender";
        }
        if (delayed) {
            return "Delayed Mail (still being retried)";
        }
        return "Successful Mail Delivery Report";
    }

    private String humanText() {
        StringBuilder t = new StringBuilder();
        t.append("This is the mail system at host ").append(reportingMta).append(".\r\n\r\n");
        for (DsnAction a : DsnAction.values()) {
            List<DsnRecipient> rs = recipients.stream().filter(r -> r.action() == a).toList();
            if (rs.isEmpty()) {
                continue;
            }
            t.append(switch (a) {
                case FAILED -> "Your message could not be delivered to the following recipients. This is a permanent error.";
                case DELAYED -> "Your message could not be delivered yet to the following recipients. Delivery will be retried; you need not resend it.";
                case DELIVERED -> "Your message was delivered to the following recipients.";
                case RELAYED -> "Your message was relayed to the following recipients; no further notifications may be sent.";
                case EXPANDED -> "Your message was delivered to the following recipients and forwarded further.";
            }).append("\r\n\r\n");
            for (DsnRecipient r : rs) {
                StringBuilder line = new StringBuilder();
                line.append("  <").append(clean(r.finalRecipient())).append(">");
                if (r.diagnosticCode() != null) {
                    line.append(": ").append(r.remoteMta() != null ? "host " + clean(r.remoteMta()) + " said: " : "")
                            .append(clean(r.diagnosticCode()));
                }
                t.append(wrap(line.toString()));
            }
            t.append("\r\n");
        }
        return t.toString();
    }

    /**
     * The line with CRLF, broken at spaces (continuations indented) when it is longer than the
     * 998 characters RFC 5322 §2.1.1 allows: address, host and reply may each be up to 900.
     */
    static String wrap(String line) {
        int max = 990;
        StringBuilder out = new StringBuilder();
        String rest = line;
        while (rest.length() > max) {
            int cut = rest.lastIndexOf(' ', max);
            if (cut <= 4) {
                cut = max;
            }
            out.append(rest, 0, cut).append("\r\n");
            rest = "    " + rest.substring(cut).strip();
        }
        return out.append(rest).append("\r\n").toString();
    }

    private String statusFields() {
        StringBuilder s = new StringBuilder();
        s.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
        if (envelopeId != null) {
            s.append("Original-Envelope-Id: ").append(envelopeId).append("\r\n");
        }
        if (arrivalDate != null) {
            s.append("Arrival-Date: ").append(rfc5322(arrivalDate)).append("\r\n");
        }
        for (DsnRecipient r : recipients) {
            s.append("\r\n");
            if (r.originalRecipient() != null) {
                String orcpt = clean(r.originalRecipient());
                s.append("Original-Recipient: ").append(orcpt.contains(";") ? orcpt : "rfc822;" + orcpt).append("\r\n");
            }
            s.append("Final-Recipient: rfc822; ").append(clean(r.finalRecipient())).append("\r\n");
            s.append("Action: ").append(r.action().value()).append("\r\n");
            s.append("Status: ").append(r.status()).append("\r\n");
            if (r.remoteMta() != null) {
                s.append("Remote-MTA: dns; ").append(clean(r.remoteMta())).append("\r\n");
            }
            if (r.diagnosticCode() != null) {
                s.append("Diagnostic-Code: smtp; ").append(clean(r.diagnosticCode())).append("\r\n");
            }
            if (r.lastAttempt() != null) {
                s.append("Last-Attempt-Date: ").append(rfc5322(r.lastAttempt())).append("\r\n");
            }
            if (r.willRetryUntil() != null) {
                s.append("Will-Retry-Until: ").append(rfc5322(r.willRetryUntil())).append("\r\n");
            }
        }
        return s.toString();
    }

    private static String rfc5322(Instant i) {
        return RFC5322.format(ZonedDateTime.ofInstant(i, ZoneId.of("UTC")));
    }

    /** Removes control characters (no header injection) and caps the length. */
    static String clean(String v) {
        if (v == null) {
            return null;
        }
        String s = v.replaceAll("[\\p{Cntrl}]+", " ").strip();
        return s.length() > MAX_FIELD ? s.substring(0, MAX_FIELD) : s;
    }

    static byte[] headerOf(byte[] msg) {
        for (int i = 0; i + 3 < msg.length; i++) {
            if (msg[i] == '\r' && msg[i + 1] == '\n' && msg[i + 2] == '\r' && msg[i + 3] == '\n') {
                return java.util.Arrays.copyOf(msg, i + 2);
            }
        }
        return msg;
    }

    private static boolean hasNonAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return true;
            }
        }
        return false;
    }

    /** Normalises line ends to CRLF. */
    static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            } else if (b == '\r' && (i + 1 >= in.length || in[i + 1] != '\n')) {
                out.write('\r');
                out.write('\n');
                continue;
            }
            out.write(b);
        }
        return out.toByteArray();
    }
}
