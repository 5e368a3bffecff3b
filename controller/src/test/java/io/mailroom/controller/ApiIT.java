package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.store.AccountStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The HTTP contract: the token on every endpoint, JSON errors with the right status, the OpenAPI document. */
@QuarkusTest
@QuarkusTestResource(ControllerServers.class)
class ApiIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @TestHTTPResource("/")
    URI base;

    @Inject
    AccountStore store;

    JsonNode openApi() throws Exception {
        HttpResponse<String> r = Http.send(base, "GET", "q/openapi?format=json", null, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void openApiListsEveryEndpoint() throws Exception {
        Set<String> operations = new TreeSet<>();
        JsonNode paths = openApi().get("paths");
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            var e = it.next();
            e.getValue().fieldNames().forEachRemaining(m -> {
                if (METHODS.contains(m)) {
                    operations.add(m.toUpperCase() + " " + e.getKey());
                }
            });
        }
        assertThat(operations).containsExactlyInAnyOrder(
                "POST /api/v1/users", "GET /api/v1/users", "GET /api/v1/users/{address}",
                "DELETE /api/v1/users/{address}", "PUT /api/v1/users/{address}/password",
                "POST /api/v1/users/{address}/disable", "POST /api/v1/users/{address}/enable",
                "PUT /api/v1/users/{address}/quota", "POST /api/v1/users/{address}/certificate",
                "GET /api/v1/users/{address}/certificate", "DELETE /api/v1/users/{address}/certificate",
                "POST /api/v1/aliases", "GET /api/v1/aliases", "GET /api/v1/aliases/{address}",
                "DELETE /api/v1/aliases/{address}",
                "POST /api/v1/domains", "GET /api/v1/domains", "GET /api/v1/domains/{domain}",
                "DELETE /api/v1/domains/{domain}", "POST /api/v1/domains/{domain}/dkim/rotate",
                "DELETE /api/v1/domains/{domain}/dkim/{selector}", "PUT /api/v1/domains/{domain}/catch-all",
                "DELETE /api/v1/domains/{domain}/catch-all", "GET /api/v1/domains/{domain}/dns",
                "GET /api/v1/domains/{domain}/dns/zone", "GET /api/v1/domains/{domain}/mta-sts.txt",
                "GET /api/v1/domains/{domain}/dmarc-reports", "GET /api/v1/domains/{domain}/tls-reports",
                "GET /api/v1/ca/certificate", "GET /api/v1/ca/crl", "GET /api/v1/certificates",
                "GET /api/v1/queue", "GET /api/v1/queue/{id}", "POST /api/v1/queue/{operation}");
    }

    @Test
    void everyEndpointRefusesRequestsWithoutTheRightToken() throws Exception {
        store.domain("auth.test").ifPresentOrElse(d -> { }, () -> store.createDomain("auth.test"));
        JsonNode paths = openApi().get("paths");
        List<String> checked = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            var e = it.next();
            String path = e.getKey().substring(1).replace("{address}", "victim@auth.test")
                    .replace("{domain}", "auth.test").replace("{selector}", "sel")
                    .replace("{id}", "0000000000000-000000000000").replace("{operation}", "hold");
            for (Iterator<String> ms = e.getValue().fieldNames(); ms.hasNext();) {
                String method = ms.next().toUpperCase();
                if (!METHODS.contains(method.toLowerCase())) {
                    continue;
                }
                String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
                for (String token : new String[] {null, "wrong-token-0123456789abcdef", ""}) {
                    HttpResponse<String> r = Http.send(base, method, path, token, "application/json", body);
                    assertThat(r.statusCode()).as(method + " " + path + " with token " + token).isEqualTo(401);
                    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("token");
                }
                // and the same request with the token is not refused for authentication
                HttpResponse<String> ok = Http.send(base, method, path, ControllerServers.TOKEN, "application/json",
                        body);
                assertThat(ok.statusCode()).as(method + " " + path).isNotEqualTo(401);
                checked.add(method + " " + path);
            }
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(32);
        // a token in another scheme is refused too
        assertThat(Http.send(base, "GET", "api/v1/domains", null, null, null).headers()
                .firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"mailroom\"");
    }

    @Test
    void badInputGets400WithAMessage() throws Exception {
        HttpResponse<String> malformed = Http.json(base, "POST", "api/v1/domains", "{\"name\": ");
        assertError(malformed, 400, "malformed JSON");
        assertError(Http.json(base, "POST", "api/v1/users", "[1, 2]"), 400, null);
        assertError(Http.json(base, "POST", "api/v1/users", "{\"address\": \"x@y.test\", \"pasword\": \"p\"}"), 400,
                "unknown field \"pasword\"");
        assertError(Http.json(base, "POST", "api/v1/users", "{\"address\": \"not an address\"}"), 400,
                "not an email address");
        assertError(Http.json(base, "POST", "api/v1/users", null), 400, "required");
        assertError(Http.json(base, "POST", "api/v1/domains", "{\"name\": \"bad..domain\"}"), 400, "invalid domain");
        assertError(Http.json(base, "GET", "api/v1/users/%0d%0a@x.test", null), 400, null);
        assertError(Http.json(base, "GET", "api/v1/users?limit=100000", null), 400, "limit");

        String big = "{\"name\": \"" + "a".repeat(70_000) + ".test\"}";
        assertError(Http.json(base, "POST", "api/v1/domains", big), 400, "larger than");
        assertThat(Http.json(base, "POST", "api/v1/domains", "{\"name\": \"small.test\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void unknownAndConflictingThingsGet404And409() throws Exception {
        assertError(Http.json(base, "GET", "api/v1/users/ghost@nowhere.test", null), 404, "unknown user");
        assertError(Http.json(base, "GET", "api/v1/domains/nowhere.test", null), 404, "unknown domain");
        assertError(Http.json(base, "GET", "api/v1/no-such-thing", null), 404, null);
        assertError(Http.json(base, "POST", "api/v1/users",
                "{\"address\": \"a@nowhere.test\", \"password\": \"long enough\"}"), 404, "unknown domain");

        assertThat(Http.json(base, "POST", "api/v1/domains", "{\"name\": \"busy.test\"}").statusCode()).isEqualTo(201);
        assertError(Http.json(base, "POST", "api/v1/domains", "{\"name\": \"BUSY.test\"}"), 409, "exists");
        HttpResponse<String> user = Http.json(base, "POST", "api/v1/users", "{\"address\": \"u@busy.test\"}");
        assertThat(user.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(user.body()).get("password").asText()).hasSize(20);
        assertError(Http.json(base, "POST", "api/v1/users", "{\"address\": \"U@busy.test\"}"), 409, "exists");
        assertError(Http.json(base, "DELETE", "api/v1/domains/busy.test", null), 409, "still has 1 user");
        assertError(Http.json(base, "POST", "api/v1/aliases",
                "{\"address\": \"u@busy.test\", \"target\": \"u@busy.test\"}"), 409, null);
        assertThat(Http.json(base, "DELETE", "api/v1/users/u@busy.test", null).statusCode()).isEqualTo(200);
        assertThat(Http.json(base, "DELETE", "api/v1/domains/busy.test", null).statusCode()).isEqualTo(204);
        assertThat(store.domain("busy.test")).isEmpty();
        assertThat(ControllerServers.keys.root().resolve("dkim/busy.test")).isEmptyDirectory();
    }

    @Test
    void deleteKeepsStoredMailUnlessPurged() throws Exception {
        store.domain("purge.test").ifPresentOrElse(d -> { }, () -> Http.json(base, "POST", "api/v1/domains",
                "{\"name\": \"purge.test\"}"));
        for (String who : new String[] {"keep", "drop"}) {
            assertThat(Http.json(base, "POST", "api/v1/users",
                    "{\"address\": \"" + who + "@purge.test\", \"password\": \"long enough\"}").statusCode())
                    .isEqualTo(201);
            // stored mail: a message delivered over LMTP into the user's Maildir
            try (var lmtp = io.mailroom.common.lmtp.LmtpClient.connect("127.0.0.1",
                    ControllerServers.dovecot.lmtpPort(), "test.example", 5000)) {
                assertThat(lmtp.deliver("sender@example.org", List.of(who + "@purge.test"),
                        "Subject: stored\r\n\r\nkeep me?\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .get(0).code()).isEqualTo(250);
                lmtp.quit();
            }
        }
        Path keep = ControllerServers.dovecot.mailRoot().resolve("purge.test/keep");
        Path drop = ControllerServers.dovecot.mailRoot().resolve("purge.test/drop");
        assertThat(keep.resolve("Maildir/new")).isNotEmptyDirectory();
        assertThat(drop.resolve("Maildir/new")).isNotEmptyDirectory();

        JsonNode kept = JSON.readTree(Http.json(base, "DELETE", "api/v1/users/keep@purge.test", null).body());
        assertThat(kept.get("mailboxPurged").asBoolean()).isFalse();
        assertThat(keep.resolve("Maildir/new")).isNotEmptyDirectory();
        JsonNode purged = JSON.readTree(Http.json(base, "DELETE", "api/v1/users/drop@purge.test?purge=true", null)
                .body());
        assertThat(purged.get("mailboxPurged").asBoolean()).isTrue();
        assertThat(Files.exists(drop)).isFalse();
    }

    @Test
    void purgeRefusesAHomeThatIsNotTheUsersOwnDirectory() throws Exception {
        store.domain("wide.test").ifPresentOrElse(d -> { }, () -> Http.json(base, "POST", "api/v1/domains",
                "{\"name\": \"wide.test\"}"));
        for (String who : new String[] {"wide", "other"}) {
            assertThat(Http.json(base, "POST", "api/v1/users",
                    "{\"address\": \"" + who + "@wide.test\", \"password\": \"long enough\"}").statusCode())
                    .isEqualTo(201);
        }
        Path other = ControllerServers.dovecot.mailRoot().resolve("wide.test/other/Maildir/new");
        Files.createDirectories(other);
        Files.writeString(other.resolve("1.msg"), "Subject: keep\r\n\r\nkeep\r\n");
        // a damaged record whose home is the whole domain directory
        String record = JSON.writeValueAsString(store.requireUser("wide@wide.test").record()
                .withHome(ControllerServers.dovecot.mailRoot().resolve("wide.test").toString()));
        try (var redis = io.mailroom.common.store.RedisConnections.open(ControllerServers.redis.uri())) {
            redis.dataSource().value(String.class).set("user:wide@wide.test", record);
        }
        assertError(Http.json(base, "DELETE", "api/v1/users/wide@wide.test?purge=true", null), 409, "not purged");
        assertThat(store.user("wide@wide.test")).isPresent();
        assertThat(other.resolve("1.msg")).exists();
    }

    @Test
    void healthAndMetricsAreServed() {
        assertThat(Http.send(base, "GET", "q/health/ready", null, null, null).statusCode()).isEqualTo(200);
        assertThat(Http.send(base, "GET", "q/metrics", null, null, null).statusCode()).isEqualTo(200);
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.size()).isEqualTo(1);
        String message = n.get("error").asText();
        assertThat(message).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("\n");
        if (fragment != null) {
            assertThat(message).contains(fragment);
        }
    }
}
