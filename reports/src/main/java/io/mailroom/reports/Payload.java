package io.mailroom.reports;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a report attachment: gzip (RFC 7489 appendix C / RFC 9990, RFC 8460 §5.3), zip
 * (sent by several large receivers), or the bare XML / JSON. The format is read from the
 * bytes, not from the claimed type or name. Output is bounded absolutely and by the
 * compression ratio; a zip must hold one plain file name (no directories, no "..", no
 * absolute path), since a name is all a path trick needs.
 */
public final class Payload {
    private Payload() {}

    public static byte[] unpack(byte[] data, ReportLimits limits) throws ReportException {
        if (data.length > limits.maxAttachmentBytes()) {
            throw new ReportException("attachment is larger than " + limits.maxAttachmentBytes() + " bytes");
        }
        long limit = Math.min(limits.maxReportBytes(), Math.max(64 * 1024L, (long) data.length * limits.maxRatio()));
        try {
            if (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
                    return BoundedInput.read(in, limit, "decompressed gzip report");
                }
            }
            if (data.length >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4) {
                return unzip(data, limits, limit);
            }
        } catch (ZipException e) {
            throw new ReportException("damaged archive: " + e.getMessage());
        } catch (IOException e) {
            throw new ReportException("damaged compressed report: " + e.getMessage());
        }
        if (data.length > limits.maxReportBytes()) {
            throw new ReportException("report is larger than " + limits.maxReportBytes() + " bytes");
        }
        return data;
    }

    private static byte[] unzip(byte[] data, ReportLimits limits, long limit) throws IOException, ReportException {
        byte[] found = null;
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (++entries > limits.maxZipEntries()) {
                    throw new ReportException("zip holds more than " + limits.maxZipEntries() + " entries");
                }
                String name = e.getName();
                if (e.isDirectory()) {
                    continue;
                }
                if (!plainName(name)) {
                    throw new ReportException("zip entry name is not a plain file name: " + printable(name));
                }
                if (found != null) {
                    throw new ReportException("zip holds more than one report file");
                }
                found = BoundedInput.read(zip, limit, "decompressed zip entry " + printable(name));
            }
        }
        if (found == null) {
            throw new ReportException(entries == 0 ? "not a zip archive, or an empty one" : "zip holds no report file");
        }
        return found;
    }

    /** One path segment: no separators, no "..", no control characters, no drive letter. */
    static boolean plainName(String name) {
        if (name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == ':' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + t.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    /** What the unpacked bytes hold, from their first significant character. */
    public enum Kind { XML, JSON }

    public static Kind kind(byte[] report) throws ReportException {
        int i = 0;
        if (report.length >= 3 && (report[0] & 0xff) == 0xef && (report[1] & 0xff) == 0xbb && (report[2] & 0xff) == 0xbf) {
            i = 3; // UTF-8 byte order mark
        }
        while (i < report.length && (report[i] == ' ' || report[i] == '\t' || report[i] == '\r' || report[i] == '\n')) {
            i++;
        }
        if (i < report.length && report[i] == '<') {
            return Kind.XML;
        }
        if (i < report.length && report[i] == '{') {
            return Kind.JSON;
        }
        throw new ReportException("neither an XML nor a JSON report"
                + (i < report.length ? " (starts with byte 0x" + Integer.toHexString(report[i] & 0xff).toUpperCase(Locale.ROOT) + ")" : " (empty)"));
    }
}
