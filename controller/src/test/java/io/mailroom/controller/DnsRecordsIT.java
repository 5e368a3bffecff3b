package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The DNS records of dns-records, checked by independent tools: dkimpy for DKIM, openssl for TLSA. */
@QuarkusTest
@QuarkusTestResource(ControllerServers.class)
class DnsRecordsIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Test
    void dkimRecordsVerifySignaturesMadeWithTheStoredKeysBeforeAndAfterRotation() throws Exception {
        Cli.Result added = Cli.run(base, "add-domain", "dns.test", "--dmarc-policy", "reject");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).containsPattern("mrr\\d{6} +rsa-sha256 +signing")
                .containsPattern("mre\\d{6} +ed25519-sha256 +signing");

        List<String> first = dkimCheck();
        assertThat(first).hasSize(2).allMatch(l -> l.endsWith(" pass"));
        assertThat(first).anyMatch(l -> l.contains(" rsa ")).anyMatch(l -> l.contains(" ed25519 "));

        JsonNode records = records();
        JsonNode rsa = find(records, "TXT", "mrr");
        assertThat(rsa.get("value").asText()).startsWith("v=DKIM1; k=rsa; p=");
        assertThat(rsa.get("data").asText()).as("a 2048-bit key needs two strings").matches("\"[^\"]{255}\" \"[^\"]+\"");

        Cli.Result rotated = Cli.run(base, "rotate-dkim", "dns.test");
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        assertThat(rotated.out()).contains("retired (still published)");
        List<String> after = dkimCheck();
        assertThat(after).hasSize(4).allMatch(l -> l.endsWith(" pass"));
        JsonNode domain = JSON.readTree(Cli.run(base, "get-domain", "dns.test", "-o", "json").out());
        assertThat(domain.get("dkim").findValuesAsText("signing")).containsExactly("false", "false", "true", "true");
        assertThat(domain.get("dkim").findValuesAsText("selector").get(2)).endsWith("-2");
    }

    @Test
    void tlsaMatchesTheInboxCertificateAndTheOtherRecordsAreComplete() throws Exception {
        if (Cli.run(base, "get-domain", "zone.test").exitCode() == 2) {
            assertThat(Cli.run(base, "add-domain", "zone.test").exitCode()).isZero();
        }
        JsonNode all = JSON.readTree(Cli.run(base, "dns-records", "zone.test", "-o", "json").out());
        JsonNode tlsa = find(all, "TLSA", "_25._tcp.");
        assertThat(tlsa.get("name").asText()).isEqualTo("_25._tcp.mail.example.test.");
        String expected = "3 1 1 " + opensslSpkiSha256(ControllerServers.inboxCertificate.certificate());
        assertThat(tlsa.get("data").asText()).isEqualTo(expected);

        assertThat(find(all, "MX", "zone.test.").get("data").asText()).isEqualTo("10 mail.example.test.");
        assertThat(find(all, "TXT", "zone.test.").get("value").asText()).isEqualTo("v=spf1 mx -all");
        assertThat(find(all, "TXT", "_dmarc.").get("value").asText())
                .isEqualTo("v=DMARC1; p=quarantine; rua=mailto:postmaster@zone.test");
        assertThat(find(all, "TXT", "_smtp._tls.").get("value").asText())
                .isEqualTo("v=TLSRPTv1; rua=mailto:postmaster@zone.test");
        assertThat(find(all, "TXT", "_mta-sts.").get("value").asText()).matches("v=STSv1; id=[0-9a-f]{20}");
        assertThat(all.get("mtaStsPolicy").asText())
                .isEqualTo("version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 604800\r\n");

        Cli.Result zone = Cli.run(base, "dns-records", "zone.test");
        assertThat(zone.exitCode()).isZero();
        assertThat(zone.out()).contains("zone.test.\t3600\tIN\tMX\t10 mail.example.test.")
                .contains("_25._tcp.mail.example.test.\t3600\tIN\tTLSA\t" + expected)
                .contains("_dmarc.zone.test.\t3600\tIN\tTXT\t\"v=DMARC1; p=quarantine;")
                .contains("; mode: enforce");
        String text = Http.send(base, "GET", "api/v1/domains/zone.test/dns/zone", ControllerServers.TOKEN, null, null)
                .body();
        assertThat(zone.out()).startsWith(text.stripTrailing());
    }

    private JsonNode records() throws IOException {
        Cli.Result r = Cli.run(base, "dns-records", "dns.test", "-o", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    private static JsonNode find(JsonNode all, String type, String namePrefix) {
        for (JsonNode r : all.get("records")) {
            if (r.get("type").asText().equals(type) && r.get("name").asText().startsWith(namePrefix)) {
                return r;
            }
        }
        throw new AssertionError("no " + type + " record " + namePrefix + "* in " + all);
    }

    /** Runs dkimpy over the records and the key directory; one line per DKIM record. */
    private List<String> dkimCheck() throws Exception {
        Path json = Files.createTempFile("dns-records", ".json");
        Path script = Files.createTempFile("dkim_check", ".py");
        try (InputStream in = getClass().getResourceAsStream("/dkim_check.py")) {
            Files.write(script, in.readAllBytes());
        }
        Files.writeString(json, JSON.writeValueAsString(records()));
        List<String> lines = run("/usr/bin/python3", script.toString(), json.toString(),
                ControllerServers.keys.root().toString());
        Files.delete(json);
        Files.delete(script);
        return lines;
    }

    static String opensslSpkiSha256(Path certificate) throws Exception {
        Path der = Files.createTempFile("spki", ".der");
        List<String> pub = run("sh", "-c", "openssl x509 -in '" + certificate + "' -noout -pubkey"
                + " | openssl pkey -pubin -outform DER -out '" + der + "' && sha256sum '" + der + "'");
        Files.delete(der);
        return pub.get(pub.size() - 1).split(" ")[0];
    }

    static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return new ArrayList<>(out.lines().filter(l -> !l.isBlank()).toList());
    }
}
