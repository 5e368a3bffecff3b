package io.mailroom.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.reports.dmarc.AggregateReport;
import io.mailroom.reports.tlsrpt.TlsReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The shared report corpus (vectors/reports, SOURCES.md): every file parses to the expected
 * form. mail-auth's XML files are compared field by field with its own parsed JSON (its
 * keyword spelling, e.g. "Quarantine", "MailFrom", "Unspecified", mapped onto the schema's);
 * the mox messages (zip and gzip attachments of five real receivers) with what the XML inside
 * says, read here independently by pattern; the TLS-RPT message with its JSON.
 */
class ReportCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReportReader READER = new ReportReader();
    private static final List<String> PASSED = new ArrayList<>();
    private static final int FILES = 11;

    static byte[] resource(String path) {
        try (InputStream in = Objects.requireNonNull(ReportCorpusTest.class.getResourceAsStream("/reports/" + path), path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void count() {
        System.out.println("Report corpus: " + PASSED.size() + " of " + FILES + " files parsed as expected " + PASSED);
    }

    /** mail-auth's keyword as the schema writes it: "Unspecified" = absent, "MailFrom" = mfrom, case and "_" aside. */
    private static String keyword(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isBoolean()) {
            return n.asBoolean() ? "y" : "n";
        }
        String s = n.asText();
        if (s.isEmpty() || s.equals("Unspecified")) {
            return null;
        }
        return s.equals("MailFrom") ? "mfrom" : s.toLowerCase(Locale.ROOT);
    }

    /** RFC 9990's reason types; mail-auth reads any other (RFC 7489's sampled_out) as "Other", we keep the wire value. */
    private static final List<String> RFC9990_REASONS = List.of("forwarded", "local_policy", "mailing_list", "other",
            "policy_test_mode", "trusted_forwarder");

    private static String ours(String s) {
        return s == null ? null : RFC9990_REASONS.contains(s) ? s.replace("_", "") : "other";
    }

    @Test
    void mailAuthAggregateReports() throws Exception {
        for (String n : List.of("001", "002", "003", "004", "005")) {
            JsonNode want = JSON.readTree(resource("mail-auth-dmarc/" + n + ".json"));
            ReceivedReport got = READER.read(resource("mail-auth-dmarc/" + n + ".xml"));
            assertThat(got).as(n).isInstanceOf(ReceivedReport.Dmarc.class);
            AggregateReport r = ((ReceivedReport.Dmarc) got).report();
            JsonNode m = want.get("report_metadata");
            assertThat(r.metadata().orgName()).as(n).isEqualTo(m.get("org_name").asText());
            assertThat(r.metadata().email()).as(n).isEqualTo(m.get("email").asText());
            assertThat(r.metadata().reportId()).as(n).isEqualTo(m.get("report_id").asText());
            assertThat(r.metadata().begin()).as(n).isEqualTo(m.get("date_range").get("begin").asLong());
            assertThat(r.metadata().end()).as(n).isEqualTo(m.get("date_range").get("end").asLong());
            JsonNode p = want.get("policy_published");
            assertThat(r.policy().domain()).as(n).isEqualTo(p.get("domain").asText());
            for (String tag : List.of("adkim", "aspf")) {
                String w = keyword(p.get(tag));
                String g = tag.equals("adkim") ? r.policy().adkim() : r.policy().aspf();
                assertThat(g == null ? null : g.equals("r") ? "relaxed" : g.equals("s") ? "strict" : g).as(n + " " + tag).isEqualTo(w);
            }
            assertThat(r.policy().p()).as(n).isEqualTo(keyword(p.get("p")));
            assertThat(r.policy().sp()).as(n).isEqualTo(keyword(p.get("sp")));
            assertThat(r.policy().np()).as(n).isEqualTo(keyword(p.get("np")));
            assertThat(r.policy().fo()).as(n).isEqualTo(keyword(p.get("fo")));
            assertThat(r.policy().discoveryMethod()).as(n).isEqualTo(keyword(p.get("discovery_method")));
            assertThat(r.policy().testing() == null ? "n" : r.policy().testing()).as(n).isEqualTo(keyword(p.get("testing")));
            JsonNode records = want.get("record");
            assertThat(r.records()).as(n).hasSize(records.size());
            for (int i = 0; i < records.size(); i++) {
                JsonNode w = records.get(i);
                AggregateReport.Record g = r.records().get(i);
                String at = n + " record " + (i + 1);
                JsonNode row = w.get("row");
                assertThat(g.sourceIp()).as(at).isEqualTo(java.net.InetAddress.getByName(row.get("source_ip").asText()).getHostAddress());
                assertThat(g.count()).as(at).isEqualTo(row.get("count").asLong());
                JsonNode pe = row.get("policy_evaluated");
                assertThat(g.disposition()).as(at).isEqualTo(keyword(pe.get("disposition")));
                assertThat(g.dkim()).as(at).isEqualTo(keyword(pe.get("dkim")));
                assertThat(g.spf()).as(at).isEqualTo(keyword(pe.get("spf")));
                assertThat(g.reasons()).as(at).hasSize(pe.get("reason").size());
                for (int j = 0; j < g.reasons().size(); j++) {
                    assertThat(ours(g.reasons().get(j).type())).as(at).isEqualTo(keyword(pe.get("reason").get(j).get("type_")));
                    assertThat(g.reasons().get(j).comment()).as(at).isEqualTo(pe.get("reason").get(j).get("comment").asText(null));
                }
                JsonNode ids = w.get("identifiers");
                assertThat(g.headerFrom()).as(at).isEqualTo(keyword(ids.get("header_from")));
                assertThat(g.envelopeFrom()).as(at).isEqualTo(keyword(ids.get("envelope_from")));
                assertThat(g.envelopeTo()).as(at).isEqualTo(keyword(ids.get("envelope_to")));
                JsonNode dkim = w.get("auth_results").get("dkim");
                assertThat(g.dkimResults()).as(at).hasSize(dkim.size());
                for (int j = 0; j < dkim.size(); j++) {
                    assertThat(g.dkimResults().get(j).domain()).as(at).isEqualTo(dkim.get(j).get("domain").asText());
                    assertThat(g.dkimResults().get(j).selector()).as(at).isEqualTo(dkim.get(j).get("selector").asText(null));
                    assertThat(g.dkimResults().get(j).result()).as(at).isEqualTo(keyword(dkim.get(j).get("result")));
                    assertThat(g.dkimResults().get(j).humanResult()).as(at).isEqualTo(dkim.get(j).get("human_result").asText(null));
                }
                JsonNode spf = w.get("auth_results").get("spf");
                assertThat(g.spfResults()).as(at).hasSize(spf.size());
                for (int j = 0; j < spf.size(); j++) {
                    assertThat(g.spfResults().get(j).domain()).as(at).isEqualTo(spf.get(j).get("domain").asText());
                    assertThat(g.spfResults().get(j).scope()).as(at).isEqualTo(keyword(spf.get(j).get("scope")));
                    assertThat(g.spfResults().get(j).result()).as(at).isEqualTo(keyword(spf.get(j).get("result")));
                }
            }
            PASSED.add("mail-auth-dmarc/" + n + ".xml");
        }
    }

    /** Reporter, policy domain, records and message total of each mox message, from the XML inside it read by pattern. */
    @Test
    void moxMessagesFromFiveReceivers() throws Exception {
        Map<String, String> reporters = Map.of("google", "google.com", "mailru", "Mail.Ru", "outlook", "Outlook.com",
                "xs4all", "xs4all.nl", "yahoo", "Yahoo");
        for (String n : List.of("google", "mailru", "outlook", "xs4all", "yahoo")) {
            byte[] message = resource("mox-dmarc/" + n + ".eml");
            List<ReceivedReport> got = READER.readMessage(message);
            assertThat(got).as(n).singleElement().isInstanceOf(ReceivedReport.Dmarc.class);
            AggregateReport r = ((ReceivedReport.Dmarc) got.get(0)).report();
            String xml = independentXml(message);
            assertThat(r.metadata().orgName()).as(n).containsIgnoringCase(reporters.get(n).split("\\.")[0]);
            assertThat(r.metadata().orgName()).as(n).isEqualTo(first(xml, "org_name"));
            assertThat(r.metadata().reportId()).as(n).isEqualTo(first(xml, "report_id"));
            assertThat(r.policy().domain()).as(n).isEqualTo("ueber.net");
            assertThat(r.policy().p()).as(n).isEqualTo(first(xml, "p").toLowerCase(Locale.ROOT));
            assertThat(r.records()).as(n).hasSize(all(xml, "record").size()).isNotEmpty();
            assertThat(r.records().stream().mapToLong(AggregateReport.Record::count).sum()).as(n)
                    .isEqualTo(all(xml, "count").stream().mapToLong(Long::parseLong).sum());
            assertThat(r.records().stream().map(AggregateReport.Record::sourceIp).toList()).as(n)
                    .isEqualTo(all(xml, "source_ip").stream().map(ReportCorpusTest::canonicalIp).toList());
            assertThat(r.records().stream().map(AggregateReport.Record::disposition).toList()).as(n)
                    .isEqualTo(all(xml, "disposition").stream().map(s -> s.toLowerCase(Locale.ROOT)).toList());
            PASSED.add("mox-dmarc/" + n + ".eml");
        }
    }

    @Test
    void tlsReportMessage() throws Exception {
        List<ReceivedReport> got = READER.readMessage(resource("mail-auth-tlsrpt/rpt01.eml"));
        assertThat(got).singleElement().isInstanceOf(ReceivedReport.Tls.class);
        TlsReport r = ((ReceivedReport.Tls) got.get(0)).report();
        JsonNode w = JSON.readTree(resource("mail-auth-tlsrpt/rpt01.json"));
        assertThat(r.organizationName()).isEqualTo(w.get("organization-name").asText());
        assertThat(r.reportId()).isEqualTo(w.get("report-id").asText());
        assertThat(r.contactInfo()).isEqualTo(w.get("contact-info").asText());
        assertThat(r.start()).isEqualTo(Instant.parse(w.get("date-range").get("start-datetime").asText()));
        assertThat(r.end()).isEqualTo(Instant.parse(w.get("date-range").get("end-datetime").asText()));
        assertThat(r.policies()).hasSize(w.get("policies").size());
        for (int i = 0; i < r.policies().size(); i++) {
            TlsReport.Policy g = r.policies().get(i);
            JsonNode wp = w.get("policies").get(i);
            assertThat(g.policyType()).isEqualTo(wp.get("policy").get("policy-type").asText());
            assertThat(g.policyDomain()).isEqualTo(wp.get("policy").get("policy-domain").asText());
            assertThat(g.policyString()).hasSize(wp.get("policy").get("policy-string").size());
            assertThat(g.mxHost()).containsExactly(wp.get("policy").get("mx-host").get(0).asText());
            assertThat(g.successfulSessions()).isEqualTo(wp.get("summary").get("total-successful-session-count").asLong());
            assertThat(g.failedSessions()).isEqualTo(wp.get("summary").get("total-failure-session-count").asLong());
            JsonNode fd = wp.get("failure-details");
            assertThat(g.failures()).hasSize(fd.size());
            for (int j = 0; j < fd.size(); j++) {
                TlsReport.FailureDetail d = g.failures().get(j);
                assertThat(d.resultType()).isEqualTo(fd.get(j).get("result-type").asText());
                assertThat(d.sendingMtaIp()).isEqualTo(fd.get(j).get("sending-mta-ip").asText());
                assertThat(d.receivingMxHostname()).isEqualTo(fd.get(j).get("receiving-mx-hostname").asText());
                assertThat(d.receivingIp()).isEqualTo(fd.get(j).path("receiving-ip").asText(null));
                assertThat(d.failedSessions()).isEqualTo(fd.get(j).get("failed-session-count").asLong());
                assertThat(d.failureReasonCode()).isEqualTo(fd.get(j).path("failure-reason-code").asText(null));
                assertThat(d.additionalInformation()).isEqualTo(fd.get(j).path("additional-information").asText(null));
            }
        }
        PASSED.add("mail-auth-tlsrpt/rpt01.eml");
    }

    private static String canonicalIp(String ip) {
        try {
            return java.net.InetAddress.getByName(ip).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(ip, e);
        }
    }

    /** The attachment of a mox message, decoded and decompressed with plain JDK calls, no MIME library. */
    static String independentXml(byte[] message) throws IOException {
        String text = new String(message, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        Matcher m = Pattern.compile("(?is)content-transfer-encoding:\\s*base64[^\\n]*\\n(?:[^\\n]+\\n)*?\\n((?:[A-Za-z0-9+/=]+\\n)+)").matcher(text);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1).replace("\n", ""));
        }
        for (String b : blocks) {
            byte[] data = java.util.Base64.getDecoder().decode(b);
            if (data.length > 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
                return new String(new GZIPInputStream(new java.io.ByteArrayInputStream(data)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            if (data.length > 2 && data[0] == 'P' && data[1] == 'K') {
                ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(data));
                z.getNextEntry();
                return new String(z.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no compressed attachment found in " + blocks.size() + " base64 blocks");
    }

    static List<String> all(String xml, String element) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<" + element + "(?:\\s[^>]*)?>(.*?)</" + element + ">", Pattern.DOTALL).matcher(xml);
        while (m.find()) {
            out.add(m.group(1).strip());
        }
        return out;
    }

    static String first(String xml, String element) {
        return all(xml, element).get(0);
    }
}
