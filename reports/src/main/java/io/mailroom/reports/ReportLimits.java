package io.mailroom.reports;

/**
 * Bounds on what a received report may cost. Reports come from anyone who can send mail, so
 * every size is capped before it is read, and decompression is capped by what comes out, not
 * by what the archive claims (a zip header's sizes are the sender's word).
 *
 * @param maxMessageBytes    the whole report message
 * @param maxMimeParts       MIME parts looked at (nested multiparts included)
 * @param maxMimeDepth       multipart nesting
 * @param maxAttachmentBytes one attachment after transfer decoding, still compressed
 * @param maxReportBytes     one report after decompression (XML or JSON)
 * @param maxRatio           decompressed / compressed size: more is a bomb, whatever the total
 * @param maxZipEntries      entries in a zip (a report zip holds one file)
 * @param maxDepth           XML element / JSON nesting depth
 * @param maxTextChars       one XML text node or JSON string
 * @param maxRecords         DMARC {@code record}s or TLS-RPT policies and failure details
 */
public record ReportLimits(long maxMessageBytes, int maxMimeParts, int maxMimeDepth, long maxAttachmentBytes,
        long maxReportBytes, int maxRatio, int maxZipEntries, int maxDepth, int maxTextChars, int maxRecords) {

    /** Generous for real reports (the largest seen by big receivers are a few MB of XML), tight for bombs. */
    public static ReportLimits defaults() {
        return new ReportLimits(16 << 20, 64, 8, 8 << 20, 32 << 20, 200, 4, 16, 16_384, 100_000);
    }

    public ReportLimits withMaxReportBytes(long bytes) {
        return new ReportLimits(maxMessageBytes, maxMimeParts, maxMimeDepth, maxAttachmentBytes, bytes, maxRatio,
                maxZipEntries, maxDepth, maxTextChars, maxRecords);
    }
}
