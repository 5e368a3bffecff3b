package io.mailroom.reports;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Damaged, hostile and oversized reports, written as an attacker who can mail our report
 * address would write them: each must be refused with a reason that names the problem, fast,
 * and without reading a local file or resolving a name.
 */
class DamagedReportTest {
    private static final ReportReader READER = new ReportReader();
    private static final byte[] GOOD_XML = ReportCorpusTest.resource("mail-auth-dmarc/001.xml");
    private static final String XML = new String(GOOD_XML, StandardCharsets.UTF_8);
    private static final String JSON = new String(ReportCorpusTest.resource("mail-auth-tlsrpt/rpt01.json"), StandardCharsets.UTF_8);
    private static final List<String> REFUSED = new ArrayList<>();
    private static int cases;

    private record Case(String name, byte[] input, boolean asMessage, String reason) {}

    @AfterAll
    static void count() {
        System.out.println("Damaged reports: " + REFUSED.size() + " of " + cases + " refused with the expected reason");
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** Zeros, compressed while they are written: the bomb never exists uncompressed on our side. */
    static byte[] gzipBomb(long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] zeros = new byte[1 << 16];
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            for (long n = 0; n < size; n += zeros.length) {
                g.write(zeros);
            }
        }
        return out.toByteArray();
    }

    static byte[] zipBomb(long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] spaces = new byte[1 << 16];
        Arrays.fill(spaces, (byte) ' ');
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("report.xml"));
            z.write("<feedback>".getBytes(StandardCharsets.US_ASCII));
            for (long n = 0; n < size; n += spaces.length) {
                z.write(spaces);
            }
            z.closeEntry();
        }
        return out.toByteArray();
    }

    static byte[] mail(String contentType, byte[] body) {
        String b64 = java.util.Base64.getMimeEncoder().encodeToString(body);
        return ("From: reports@reporter.example\r\nTo: postmaster@example.test\r\nSubject: Report Domain: example.test\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n"
                + "--b\r\nContent-Type: " + contentType + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n--b--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String xmlWith(String from, String to) {
        if (!XML.contains(from)) {
            throw new AssertionError("fixture lacks " + from);
        }
        return XML.replace(from, to);
    }

    private static String jsonWith(String from, String to) {
        if (!JSON.contains(from)) {
            throw new AssertionError("fixture lacks " + from);
        }
        return JSON.replace(from, to);
    }

    @TestFactory
    Stream<DynamicTest> refused() throws IOException {
        byte[] gz = gzip(GOOD_XML);
        byte[] corrupt = gz.clone();
        corrupt[corrupt.length / 2] ^= 0x55;
        String nested = "<a>".repeat(40) + "</a>".repeat(40);
        StringBuilder manyParts = new StringBuilder("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
        for (int i = 0; i < 100; i++) {
            manyParts.append("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
        }
        manyParts.append("--b--\r\n");
        StringBuilder deepMime = new StringBuilder("MIME-Version: 1.0\r\n");
        for (int i = 0; i < 20; i++) {
            deepMime.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i).append("\r\n");
        }
        deepMime.append("Content-Type: application/gzip\r\n\r\nx\r\n");
        List<Case> all = List.of(
                new Case("XXE: external entity reading /etc/passwd", utf8("<?xml version=\"1.0\"?><!DOCTYPE feedback [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                        + xmlWith("<org_name>Sample Reporter</org_name>", "<org_name>&x;</org_name>").replaceFirst("<\\?xml[^>]*\\?>", "")), false, "document type declaration"),
                new Case("XXE: external DTD over HTTP", utf8("<!DOCTYPE feedback SYSTEM \"http://127.0.0.1:9/evil.dtd\">" + XML.replaceFirst("<\\?xml[^>]*\\?>", "")), false, "document type declaration"),
                new Case("billion laughs", utf8("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                        + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>"
                        + "<feedback>&lol4;</feedback>"), false, "document type declaration"),
                new Case("undeclared entity", utf8(xmlWith("<org_name>Sample Reporter</org_name>", "<org_name>&evil;</org_name>")), false, "entity reference 'evil' is refused"),
                new Case("gzip bomb (48 MB of zeros)", gzipBomb(48L << 20), false, "larger than"),
                new Case("zip bomb (48 MB of spaces)", zipBomb(48L << 20), false, "larger than"),
                new Case("zip bomb in a message", mail("application/zip", zipBomb(48L << 20)), true, "larger than"),
                new Case("zip path traversal ../", zip("../../etc/cron.d/x.xml", XML), false, "not a plain file name"),
                new Case("zip absolute path", zip("/etc/passwd", XML), false, "not a plain file name"),
                new Case("zip entry in a directory", zip("a/report.xml", XML), false, "not a plain file name"),
                new Case("zip windows path", zip("..\\report.xml", XML), false, "not a plain file name"),
                new Case("zip with two reports", zip("a.xml", XML, "b.xml", XML), false, "more than one report file"),
                new Case("zip with too many entries", zip("a/", "", "b/", "", "c/", "", "d/", "", "e/", ""), false, "more than 4 entries"),
                new Case("truncated gzip", Arrays.copyOf(gz, gz.length / 2), false, "damaged compressed report"),
                new Case("corrupted gzip", corrupt, false, "damaged"),
                new Case("truncated XML", Arrays.copyOf(GOOD_XML, GOOD_XML.length / 2), false, "XML does not parse"),
                new Case("not XML nor JSON", utf8("PNG garbage \u0000\u0001"), false, "neither an XML nor a JSON report"),
                new Case("empty attachment", new byte[0], false, "neither an XML nor a JSON report"),
                new Case("wrong root element", utf8("<html><body>hi</body></html>"), false, "not <feedback>"),
                new Case("no report_id", utf8(xmlWith("<report_id>3v98abbp8ya9n3va8yr8oa3ya</report_id>", "")), false, "report_id"),
                new Case("no date_range", utf8(XML.replaceAll("(?s)<date_range>.*?</date_range>", "")), false, "date_range"),
                new Case("range ends before it begins", utf8(xmlWith("<end>161221511</end>", "<end>1</end>")), false, "ends before"),
                new Case("negative count", utf8(xmlWith("<count>123</count>", "<count>-5</count>")), false, "non-negative number"),
                new Case("count not a number", utf8(xmlWith("<count>123</count>", "<count>1e9</count>")), false, "non-negative number"),
                new Case("source_ip a host name (would be resolved)", utf8(xmlWith("<source_ip>192.168.4.4</source_ip>", "<source_ip>attacker.example</source_ip>")), false, "not an IP address"),
                new Case("source_ip hex letters only", utf8(xmlWith("<source_ip>192.168.4.4</source_ip>", "<source_ip>beef</source_ip>")), false, "not an IP address"),
                new Case("record without row", utf8(XML.replaceAll("(?s)<row>.*?</row>", "")), false, "has no <row>"),
                new Case("no policy_published", utf8(XML.replaceAll("(?s)<policy_published>.*?</policy_published>", "")), false, "policy_published"),
                new Case("XML nested 40 deep", utf8(xmlWith("<extensions>", "<extensions>" + nested)), false, "nested deeper"),
                new Case("XML text of 100 000 characters", utf8(xmlWith("Sample Reporter", "A".repeat(100_000))), false, "text longer"),
                new Case("JSON duplicate key", utf8(jsonWith("\"organization-name\": \"Company-X\",", "\"organization-name\": \"Company-X\", \"organization-name\": \"Other\",")), false, "Duplicate field"),
                new Case("JSON nested 40 deep", utf8("{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}"), false, "does not parse"),
                new Case("JSON without policies", utf8(jsonWith("\"policies\"", "\"nopolicies\"")), false, "no policies"),
                new Case("JSON bad date", utf8(jsonWith("2016-04-01T00:00:00Z", "yesterday")), false, "RFC 3339"),
                new Case("JSON negative session count", utf8(jsonWith("5326", "-5326")), false, "non-negative integer"),
                new Case("JSON unknown policy-type", utf8(jsonWith("\"policy-type\": \"sts\"", "\"policy-type\": \"dane\"")), false, "policy-type"),
                new Case("JSON string of 100 000 characters", utf8(jsonWith("Company-X", "X".repeat(100_000))), false, "does not parse"),
                new Case("JSON truncated", utf8(JSON.substring(0, JSON.length() / 2)), false, "does not parse"),
                new Case("message without a report", utf8("From: a@b.example\r\nSubject: hi\r\n\r\nno report here\r\n"), true, "no report attachment"),
                new Case("message with 100 parts", utf8(manyParts.toString()), true, "MIME parts"),
                new Case("multipart nested 20 deep", utf8(deepMime.toString()), true, "nested deeper"),
                new Case("gzip part that is not gzip", mail("application/gzip", utf8("just text")), true, "neither an XML nor a JSON"));
        cases = all.size();
        Function<Case, DynamicTest> test = c -> DynamicTest.dynamicTest(c.name(), () -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try {
                if (c.asMessage()) {
                    READER.readMessage(c.input());
                } else {
                    READER.read(c.input());
                }
                throw new AssertionError(c.name() + ": accepted");
            } catch (ReportException e) {
                if (!e.getMessage().contains(c.reason())) {
                    throw new AssertionError(c.name() + ": refused, but for '" + e.getMessage() + "', expected '" + c.reason() + "'");
                }
                synchronized (REFUSED) {
                    REFUSED.add(c.name());
                }
            }
        }));
        return all.stream().map(test);
    }
}
