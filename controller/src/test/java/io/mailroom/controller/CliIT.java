package io.mailroom.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.Recipient;
import io.mailroom.testkit.ImapMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mailroom-cli against the running Controller, with a real Redis and a real Dovecot behind it. */
@QuarkusTest
@QuarkusTestResource(ControllerServers.class)
class CliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Inject
    AccountStore store;

    @BeforeEach
    void domain() {
        if (store.domain("cli.test").isEmpty()) {
            assertThat(Cli.run(base, "add-domain", "cli.test").exitCode()).isZero();
        }
    }

    @Test
    void userCreatedWithTheCliLogsInOverImapUntilDeleted() {
        Cli.Result created = Cli.run(base, "create-user", "Alice@CLI.test");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("created user alice@cli.test").contains("shown only this once");
        Matcher m = Pattern.compile("password: (\\S+)").matcher(created.out());
        assertThat(m.find()).isTrue();
        String password = m.group(1);

        int imap = ControllerServers.dovecot.imapPort();
        assertThat(ImapMailbox.canLogin(imap, "alice@cli.test", password)).isTrue();
        assertThat(ImapMailbox.canLogin(imap, "alice@cli.test", password + "x")).isFalse();

        Cli.Result deleted = Cli.run(base, "delete-user", "alice@cli.test");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("deleted user alice@cli.test");
        assertThat(ImapMailbox.canLogin(imap, "alice@cli.test", password)).isFalse();
    }

    @Test
    void passwordFromStdinAndJsonOutput() throws Exception {
        Map<String, String> env = env();
        Cli.Result r = Cli.run(env, "correct horse battery\n", "create-user", "bob@cli.test", "--password-stdin",
                "-o", "json", "--quota", "1G");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode n = JSON.readTree(r.out());
        assertThat(n.get("address").asText()).isEqualTo("bob@cli.test");
        assertThat(n.get("quota").asText()).isEqualTo("1G");
        assertThat(n.has("password")).as("a given password is never echoed").isFalse();
        assertThat(ImapMailbox.canLogin(ControllerServers.dovecot.imapPort(), "bob@cli.test", "correct horse battery"))
                .isTrue();

        JsonNode list = JSON.readTree(Cli.run(base, "-o", "json", "list-users", "--domain", "cli.test").out());
        assertThat(list.get("items").findValuesAsText("address")).contains("bob@cli.test");
        Cli.Result text = Cli.run(base, "list-users", "--domain", "cli.test");
        assertThat(text.out()).contains("bob@cli.test").contains("1G");

        Cli.Result disabled = Cli.run(base, "disable", "bob@cli.test", "-o", "json");
        assertThat(JSON.readTree(disabled.out()).get("disabled").asBoolean()).isTrue();
        assertThat(ImapMailbox.canLogin(ControllerServers.dovecot.imapPort(), "bob@cli.test", "correct horse battery"))
                .isFalse();
        assertThat(Cli.run(base, "enable", "bob@cli.test").exitCode()).isZero();

        Cli.Result changed = Cli.run(base, "set-password", "bob@cli.test");
        Matcher m = Pattern.compile("password: (\\S+)").matcher(changed.out());
        assertThat(m.find()).as(changed.out()).isTrue();
        assertThat(ImapMailbox.canLogin(ControllerServers.dovecot.imapPort(), "bob@cli.test", m.group(1))).isTrue();
        assertThat(Cli.run(base, "delete-user", "bob@cli.test").exitCode()).isZero();
    }

    @Test
    void aliasCreatedWithTheCliResolvesThroughTheStore() throws Exception {
        Cli.run(env(), "a long password\n", "create-user", "carol@cli.test", "--password-stdin");
        Cli.Result r = Cli.run(base, "add-alias", "Sales@cli.test", "carol@cli.test");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sales@cli.test -> carol@cli.test");

        Recipient resolved = store.resolveRecipient("sales@cli.test").orElseThrow();
        assertThat(resolved.via()).isEqualTo(Recipient.Via.ALIAS);
        assertThat(resolved.mailbox().toString()).isEqualTo("carol@cli.test");

        JsonNode aliases = JSON.readTree(Cli.run(base, "list-aliases", "-o", "json", "--domain", "cli.test").out());
        assertThat(aliases.findValuesAsText("address")).contains("sales@cli.test");
        assertThat(Cli.run(base, "get-user", "carol@cli.test").out()).contains("aliases:  sales@cli.test");

        assertThat(Cli.run(base, "remove-alias", "sales@cli.test").exitCode()).isZero();
        assertThat(store.resolveRecipient("sales@cli.test")).isEmpty();
        assertThat(Cli.run(base, "remove-alias", "sales@cli.test").exitCode()).isEqualTo(2);

        // the per-domain catch-all
        assertThat(store.resolveRecipient("anything@cli.test")).isEmpty();
        Cli.Result all = Cli.run(base, "set-catch-all", "cli.test", "carol@cli.test");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(store.resolveRecipient("anything@cli.test").orElseThrow().via()).isEqualTo(Recipient.Via.CATCH_ALL);
        assertThat(Cli.run(base, "set-catch-all", "cli.test", "none").exitCode()).isZero();
        assertThat(store.resolveRecipient("anything@cli.test")).isEmpty();
        Cli.run(base, "delete-user", "carol@cli.test");
    }

    @Test
    void exitCodesFollowTheDocumentedTable() {
        Cli.Result help = Cli.run(base, "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Exit codes:").contains("4   authentication failed");

        Cli.Result usage = Cli.run(base, "create-user");
        assertThat(usage.exitCode()).isEqualTo(1);
        assertThat(usage.err()).contains("Missing required parameter").doesNotContain("Exception");
        assertThat(Cli.run(base, "no-such-command").exitCode()).isEqualTo(1);

        Cli.Result invalid = Cli.run(base, "create-user", "not-an-address");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("mailroom-cli: ").contains("not an email address").hasLineCount(1);

        Cli.Result missing = Cli.run(base, "get-user", "nobody@cli.test");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err().strip()).isEqualTo("mailroom-cli: unknown user nobody@cli.test");

        Cli.Result conflict = Cli.run(base, "add-domain", "cli.test");
        assertThat(conflict.exitCode()).isEqualTo(3);
        assertThat(conflict.err()).contains("exists").hasLineCount(1);

        Cli.Result auth = Cli.run(Map.of("MAILROOM_URL", base.toString(), "MAILROOM_TOKEN", "wrong-token-0123456789"),
                "", "list-users");
        assertThat(auth.exitCode()).isEqualTo(4);
        assertThat(auth.err()).contains("bearer token").hasLineCount(1);
        assertThat(Cli.run(Map.of("MAILROOM_URL", base.toString()), "", "list-users").exitCode()).isEqualTo(4);

        Cli.Result down = Cli.run(Map.of("MAILROOM_URL", "http://127.0.0.1:1", "MAILROOM_TOKEN", "x"), "", "list-users");
        assertThat(down.exitCode()).isEqualTo(5);
        assertThat(down.err()).contains("cannot reach the Controller").hasLineCount(1);
    }

    @Test
    void tokenFileAndUrlFlags() throws Exception {
        Path file = Files.createTempFile("token", ".txt");
        Files.writeString(file, ControllerServers.TOKEN + "\n");
        Cli.Result r = Cli.run(Map.of("MAILROOM_TOKEN_FILE", file.toString()), "", "list-domains", "--url",
                base.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("cli.test");
        Cli.Result flags = Cli.run(Map.of(), "", "--url", base.toString(), "--token-file", file.toString(),
                "get-domain", "cli.test");
        assertThat(flags.exitCode()).as(flags.err()).isZero();
        assertThat(flags.out()).contains("signing");
        Files.delete(file);
    }

    @Test
    void wrapperScriptRunsTheCli() throws Exception {
        Path script = Path.of("../cli/mailroom-cli").toAbsolutePath().normalize();
        assertThat(script).isExecutable();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-o", "json", "list-domains");
        pb.environment().put("MAILROOM_URL", base.toString());
        pb.environment().put("MAILROOM_TOKEN", ControllerServers.TOKEN);
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        List<String> names = JSON.readTree(out).findValuesAsText("name");
        assertThat(names).contains("cli.test");

        ProcessBuilder missing = new ProcessBuilder(script.toString(), "get-domain", "absent.test").redirectErrorStream(true);
        missing.environment().put("MAILROOM_URL", base.toString());
        missing.environment().put("MAILROOM_TOKEN", ControllerServers.TOKEN);
        Process q = missing.start();
        String said = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).isEqualTo(2);
        assertThat(said.strip()).isEqualTo("mailroom-cli: unknown domain absent.test");

        // input that is not a terminal: no prompt, the password is generated and shown once
        ProcessBuilder create = new ProcessBuilder(script.toString(), "create-user", "wrapped@cli.test", "-o", "json");
        create.environment().put("MAILROOM_URL", base.toString());
        create.environment().put("MAILROOM_TOKEN", ControllerServers.TOKEN);
        Process c = create.start();
        c.getOutputStream().close();
        JsonNode made = JSON.readTree(c.getInputStream().readAllBytes());
        assertThat(c.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(c.exitValue()).isZero();
        assertThat(ImapMailbox.canLogin(ControllerServers.dovecot.imapPort(), "wrapped@cli.test",
                made.get("password").asText())).isTrue();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("MAILROOM_URL", base.toString());
        env.put("MAILROOM_TOKEN", ControllerServers.TOKEN);
        return env;
    }
}
