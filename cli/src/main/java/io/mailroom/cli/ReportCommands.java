package io.mailroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dmarc-reports DOMAIN} and {@code tls-reports DOMAIN}: the reports received, per source. */
final class ReportCommands {
    private ReportCommands() {}

    @Command(name = "dmarc-reports", description = "Summarise the DMARC aggregate reports received for a domain: "
            + "per source IP, the messages that passed, failed or are unknown")
    static class Dmarc extends MailroomCli.Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().get("domains/" + seg(domain) + "/dmarc-reports");
            List<String> lines = new ArrayList<>();
            lines.add(text(n, "domain") + ": " + n.path("reports").asLong() + " DMARC report(s), "
                    + n.path("messages").asLong() + " message(s)");
            lines.add(String.format("%-39s %8s %8s %8s  %s", "SOURCE", "PASS", "FAIL", "UNKNOWN", "REPORTED BY"));
            for (JsonNode s : n.path("sources")) {
                lines.add(String.format("%-39s %8d %8d %8d  %s", s.path("sourceIp").asText(), s.path("pass").asLong(),
                        s.path("fail").asLong(), s.path("unknown").asLong(), join(s.path("reporters"))));
            }
            return print(n, String.join("\n", lines));
        }
    }

    @Command(name = "tls-reports", description = "Summarise the SMTP TLS reports (RFC 8460) received for a domain: "
            + "per reporting organization and policy, the sessions that succeeded and failed")
    static class Tls extends MailroomCli.Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().get("domains/" + seg(domain) + "/tls-reports");
            List<String> lines = new ArrayList<>();
            lines.add(text(n, "domain") + ": " + n.path("reports").asLong() + " TLS report(s)");
            lines.add(String.format("%-30s %-16s %10s %8s  %s", "REPORTED BY", "POLICY", "SUCCESS", "FAIL", "FAILURES"));
            for (JsonNode s : n.path("sources")) {
                List<String> types = new ArrayList<>();
                s.path("failureTypes").properties().forEach(e -> types.add(e.getKey() + "=" + e.getValue().asLong()));
                lines.add(String.format("%-30s %-16s %10d %8d  %s", s.path("organization").asText(),
                        s.path("policyType").asText() + " " + s.path("policyDomain").asText(), s.path("successful").asLong(),
                        s.path("failed").asLong(), String.join(", ", types)));
            }
            return print(n, String.join("\n", lines));
        }
    }

    private static String join(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return String.join(", ", out);
    }
}
