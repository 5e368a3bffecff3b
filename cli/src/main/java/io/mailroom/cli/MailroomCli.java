package io.mailroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** mailroom-cli: the command-line client of the Mail Room Controller API. */
@Command(name = "mailroom-cli", mixinStandardHelpOptions = true, version = "mailroom-cli 0.1.0",
        description = "Manage Mail Room accounts, aliases, domains, DKIM keys, DNS records, client certificates "
                + "and the Outbox's delivery queue through the Controller API, and read the DMARC and TLS reports received.",
        footerHeading = "%nConnection:%n",
        footer = {"  URL:   --url or MAILROOM_URL (default http://127.0.0.1:6804)",
                "  token: --token, --token-file, MAILROOM_TOKEN or MAILROOM_TOKEN_FILE",
                "         (prefer a file or the variable: a --token is visible to other users)",
                "  -o json prints the API's JSON, for scripts (generate-cert: --output-format json)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:usage error, or input the Controller refused (HTTP 400)", "2:not found (404)",
                "3:conflict: already exists, or still in use (409)", "4:authentication failed: missing or wrong token (401)",
                "5:server error, or the Controller could not be reached"},
        subcommands = {
                MailroomCli.CreateUser.class, MailroomCli.GetUser.class, MailroomCli.ListUsers.class,
                MailroomCli.DeleteUser.class, MailroomCli.SetPassword.class, MailroomCli.Disable.class,
                MailroomCli.Enable.class, MailroomCli.SetQuota.class,
                MailroomCli.AddAlias.class, MailroomCli.RemoveAlias.class, MailroomCli.ListAliases.class,
                MailroomCli.AddDomain.class, MailroomCli.ListDomains.class, MailroomCli.GetDomain.class,
                MailroomCli.DeleteDomain.class, MailroomCli.SetCatchAll.class, MailroomCli.DnsRecords.class,
                MailroomCli.RotateDkim.class, ReportCommands.Dmarc.class, ReportCommands.Tls.class,
                MailroomCli.GenerateCert.class, MailroomCli.RevokeCert.class, MailroomCli.ListCerts.class,
                QueueCommands.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public class MailroomCli implements Runnable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_URL = "http://127.0.0.1:6804";

    @Option(names = "--url", scope = CommandLine.ScopeType.INHERIT, paramLabel = "URL", description = "Controller URL (env MAILROOM_URL)")
    String url;
    @Option(names = "--token", scope = CommandLine.ScopeType.INHERIT, paramLabel = "TOKEN", description = "API token (env MAILROOM_TOKEN)")
    String token;
    @Option(names = "--token-file", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE", description = "file holding the API token (env MAILROOM_TOKEN_FILE)")
    Path tokenFile;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json")
    Format format;

    final Map<String, String> env;
    final InputStream stdin;
    final Console console;
    CommandLine.Model.CommandSpec spec;

    public MailroomCli(Map<String, String> env, InputStream stdin, Console console) {
        this.env = env;
        this.stdin = stdin;
        this.console = console;
    }

    public enum Format { text, json }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (see --help)");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.in, interactiveConsole(),
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /**
     * The terminal to prompt on, or null when input is redirected. Since JDK 22 {@code System.console()}
     * returns a console even then, and only {@code isTerminal()} (absent in 21) tells.
     */
    static Console interactiveConsole() {
        Console c = System.console();
        if (c == null) {
            return null;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c) ? c : null;
        } catch (NoSuchMethodException e) {
            return c;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Runs one command line and returns its exit code; the entry point for main and for tests. */
    public static int run(String[] args, Map<String, String> env, InputStream stdin, Console console, PrintWriter out,
            PrintWriter err) {
        MailroomCli cli = new MailroomCli(env, stdin, console);
        CommandLine cmd = new CommandLine(cli);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.getSubcommands().values().forEach(c -> {
            c.getCommandSpec().mixinStandardHelpOptions(true);
            c.getSubcommands().values().forEach(s -> s.getCommandSpec().mixinStandardHelpOptions(true));
        });
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("mailroom-cli: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
                err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            }
            err.flush();
            return ExitCodes.INVALID;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof ApiException api) {
                err.println("mailroom-cli: " + api.getMessage());
                err.flush();
                return api.status() == -1 ? ExitCodes.INVALID : api.exitCode();
            }
            if (ex instanceof UsageError u) {
                err.println("mailroom-cli: " + u.getMessage());
                err.flush();
                return ExitCodes.INVALID;
            }
            err.println("mailroom-cli: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            err.flush();
            return ExitCodes.SERVER;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A mistake in what the user asked for, found before calling the API. */
    static class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- shared plumbing

    ApiClient client() {
        String u = firstNonBlank(url, env.get("MAILROOM_URL"), DEFAULT_URL);
        String t = firstNonBlank(token, null, null);
        if (t == null && tokenFile != null) {
            t = readToken(tokenFile);
        }
        if (t == null) {
            t = firstNonBlank(env.get("MAILROOM_TOKEN"), null, null);
        }
        if (t == null && env.get("MAILROOM_TOKEN_FILE") != null && !env.get("MAILROOM_TOKEN_FILE").isBlank()) {
            t = readToken(Path.of(env.get("MAILROOM_TOKEN_FILE")));
        }
        if (t == null) {
            throw new ApiException(401, "no API token: set MAILROOM_TOKEN or MAILROOM_TOKEN_FILE, or pass --token-file");
        }
        return new ApiClient(u, t);
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UsageError("cannot read the token file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String firstNonBlank(String a, String b, String c) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        if (b != null && !b.isBlank()) {
            return b.strip();
        }
        return c;
    }

    /** The password to send: one line of stdin, or typed twice at a terminal, or null to let the server generate one. */
    String password(boolean fromStdin, String what) {
        if (fromStdin) {
            try {
                String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new UsageError("no password on standard input");
                }
                return line;
            } catch (IOException e) {
                throw new UsageError("cannot read the password from standard input");
            }
        }
        if (console == null) {
            return null;
        }
        char[] first = console.readPassword("%s (empty to generate one): ", what);
        if (first == null || first.length == 0) {
            return null;
        }
        char[] second = console.readPassword("Again: ");
        try {
            if (!Arrays.equals(first, second)) {
                throw new UsageError("the passwords do not match");
            }
            return new String(first);
        } finally {
            Arrays.fill(first, ' ');
            if (second != null) {
                Arrays.fill(second, ' ');
            }
        }
    }

    /** Output options every command takes; {@code -o json} prints the API's JSON for scripts. */
    static class Output {
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json")
        Format format;
    }

    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        MailroomCli root;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract Format localFormat();

        boolean json() {
            Format f = localFormat() != null ? localFormat() : root.format;
            return f == Format.json;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void printJson(JsonNode n) {
            try {
                out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Prints the JSON when asked to, else the text. */
        int print(JsonNode n, String text) {
            if (json()) {
                printJson(n);
            } else if (text != null) {
                out().println(text);
            }
            return ExitCodes.OK;
        }

        static String seg(String s) {
            return ApiClient.segment(s);
        }

        static String text(JsonNode n, String field) {
            return n.hasNonNull(field) ? n.get(field).asText() : "-";
        }
    }

    abstract static class Cmd extends Base {
        @Mixin
        Output output;

        @Override
        Format localFormat() {
            return output.format;
        }
    }

    // ---------------------------------------------------------------- users

    @Command(name = "create-user", description = "Create a mail account. The password is read from stdin "
            + "(--password-stdin) or typed at the terminal; otherwise one is generated and printed once.")
    static class CreateUser extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;
        @Option(names = "--password-stdin", description = "read the password from the first line of stdin")
        boolean passwordStdin;
        @Option(names = "--quota", paramLabel = "SIZE", description = "storage quota, e.g. 500M or 2G")
        String quota;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("address", address);
            body.put("password", root.password(passwordStdin, "Password for " + address));
            body.put("quota", quota);
            JsonNode n = root.client().post("users", body);
            String text = "created user " + text(n, "address");
            if (n.hasNonNull("password")) {
                text += "\npassword: " + n.get("password").asText() + "   (shown only this once)";
            }
            return print(n, text);
        }
    }

    @Command(name = "get-user", description = "Show a user")
    static class GetUser extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;

        @Override
        public Integer call() {
            JsonNode n = root.client().get("users/" + seg(address));
            StringBuilder sb = new StringBuilder();
            sb.append("address:  ").append(text(n, "address")).append('\n')
                    .append("status:   ").append(n.path("disabled").asBoolean() ? "disabled" : "enabled").append('\n')
                    .append("quota:    ").append(n.hasNonNull("quota") ? n.get("quota").asText() : "none").append('\n')
                    .append("mailbox:  ").append(text(n, "home")).append('\n')
                    .append("created:  ").append(text(n, "created")).append('\n')
                    .append("aliases:  ");
            JsonNode aliases = n.path("aliases");
            if (aliases.isEmpty()) {
                sb.append("none");
            } else {
                for (int i = 0; i < aliases.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(aliases.get(i).asText());
                }
            }
            return print(n, sb.toString());
        }
    }

    @Command(name = "list-users", description = "List users in address order")
    static class ListUsers extends Cmd {
        @Option(names = "--domain", paramLabel = "DOMAIN", description = "only users of this domain")
        String domain;
        @Option(names = "--offset", defaultValue = "0", description = "skip this many users (default ${DEFAULT-VALUE})")
        int offset;
        @Option(names = "--limit", defaultValue = "100", description = "at most this many users (default ${DEFAULT-VALUE}, max 1000)")
        int limit;

        @Override
        public Integer call() {
            String q = "users?offset=" + offset + "&limit=" + limit + (domain == null ? "" : "&domain=" + seg(domain));
            JsonNode n = root.client().get(q);
            StringBuilder sb = new StringBuilder(String.format("%-40s %-9s %s%n", "ADDRESS", "STATUS", "QUOTA"));
            for (JsonNode u : n.path("items")) {
                sb.append(String.format("%-40s %-9s %s%n", u.path("address").asText(),
                        u.path("disabled").asBoolean() ? "disabled" : "enabled",
                        u.hasNonNull("quota") ? u.get("quota").asText() : "-"));
            }
            sb.append(String.format("(%d shown, %d in total)", n.path("items").size(), n.path("total").asLong()));
            return print(n, sb.toString());
        }
    }

    @Command(name = "delete-user", description = "Delete a user with its aliases; its certificate is revoked. "
            + "Stored mail stays on disk unless --purge is given.")
    static class DeleteUser extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;
        @Option(names = "--purge", description = "also delete the mailbox directory and all stored mail")
        boolean purge;

        @Override
        public Integer call() {
            JsonNode n = root.client().delete("users/" + seg(address) + "?purge=" + purge);
            return print(n, "deleted user " + text(n, "address")
                    + (n.path("mailboxPurged").asBoolean() ? " and its mailbox" : " (stored mail kept on disk)"));
        }
    }

    @Command(name = "set-password", description = "Change a user's password (stdin, terminal, or generated)")
    static class SetPassword extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;
        @Option(names = "--password-stdin", description = "read the password from the first line of stdin")
        boolean passwordStdin;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("password", root.password(passwordStdin, "New password for " + address));
            JsonNode n = root.client().put("users/" + seg(address) + "/password", body);
            String text = "password changed for " + text(n, "address");
            if (n.hasNonNull("password")) {
                text += "\npassword: " + n.get("password").asText() + "   (shown only this once)";
            }
            return print(n, text);
        }
    }

    @Command(name = "disable", description = "Disable a user: no login, no sending")
    static class Disable extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;

        @Override
        public Integer call() {
            JsonNode n = root.client().post("users/" + seg(address) + "/disable", null);
            return print(n, "disabled " + text(n, "address"));
        }
    }

    @Command(name = "enable", description = "Enable a disabled user")
    static class Enable extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;

        @Override
        public Integer call() {
            JsonNode n = root.client().post("users/" + seg(address) + "/enable", null);
            return print(n, "enabled " + text(n, "address"));
        }
    }

    @Command(name = "set-quota", description = "Set a user's storage quota (e.g. 500M, 2G; 'none' removes it)")
    static class SetQuota extends Cmd {
        @Parameters(index = "0", paramLabel = "EMAIL")
        String address;
        @Parameters(index = "1", paramLabel = "SIZE")
        String quota;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("quota", "none".equalsIgnoreCase(quota) ? null : quota);
            JsonNode n = root.client().put("users/" + seg(address) + "/quota", body);
            return print(n, "quota of " + text(n, "address") + ": " + (n.hasNonNull("quota") ? n.get("quota").asText() : "none"));
        }
    }

    // ---------------------------------------------------------------- aliases

    @Command(name = "add-alias", description = "Create an alias that delivers to a local user")
    static class AddAlias extends Cmd {
        @Parameters(index = "0", paramLabel = "ALIAS")
        String alias;
        @Parameters(index = "1", paramLabel = "TARGET", description = "the local user that receives the mail")
        String target;

        @Override
        public Integer call() {
            JsonNode n = root.client().post("aliases", Map.of("address", alias, "target", target));
            return print(n, "created alias " + text(n, "address") + " -> " + text(n, "target"));
        }
    }

    @Command(name = "remove-alias", description = "Delete an alias")
    static class RemoveAlias extends Cmd {
        @Parameters(paramLabel = "ALIAS")
        String alias;

        @Override
        public Integer call() {
            JsonNode n = root.client().delete("aliases/" + seg(alias));
            return print(n, "removed alias " + alias);
        }
    }

    @Command(name = "list-aliases", description = "List aliases")
    static class ListAliases extends Cmd {
        @Option(names = "--domain", paramLabel = "DOMAIN", description = "only aliases of this domain")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().get("aliases" + (domain == null ? "" : "?domain=" + seg(domain)));
            StringBuilder sb = new StringBuilder(String.format("%-40s %s", "ALIAS", "TARGET"));
            for (JsonNode a : n) {
                sb.append(String.format("%n%-40s %s", a.path("address").asText(), a.path("target").asText()));
            }
            return print(n, sb.toString());
        }
    }

    // ---------------------------------------------------------------- domains

    @Command(name = "add-domain", description = "Add a mail domain; its DKIM keys (RSA and Ed25519) are generated")
    static class AddDomain extends Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;
        @Option(names = "--dmarc-policy", paramLabel = "POLICY", description = "none, quarantine (default) or reject")
        String dmarcPolicy;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", domain);
            body.put("dmarcPolicy", dmarcPolicy);
            JsonNode n = root.client().post("domains", body);
            return print(n, "created domain " + text(n, "name") + "\n" + selectors(n)
                    + "\npublish its DNS records: mailroom-cli dns-records " + text(n, "name"));
        }
    }

    static String selectors(JsonNode domain) {
        StringBuilder sb = new StringBuilder("DKIM selectors:");
        for (JsonNode k : domain.path("dkim")) {
            sb.append(String.format("%n  %-20s %-15s %s", k.path("selector").asText(), k.path("algorithm").asText(),
                    k.path("signing").asBoolean() ? "signing" : "retired (still published)"));
        }
        return sb.toString();
    }

    @Command(name = "list-domains", description = "List mail domains")
    static class ListDomains extends Cmd {
        @Override
        public Integer call() {
            JsonNode n = root.client().get("domains");
            StringBuilder sb = new StringBuilder(String.format("%-40s %-11s %s", "DOMAIN", "DMARC", "CATCH-ALL"));
            for (JsonNode d : n) {
                sb.append(String.format("%n%-40s %-11s %s", d.path("name").asText(), text(d, "dmarcPolicy"),
                        text(d, "catchAll")));
            }
            return print(n, sb.toString());
        }
    }

    @Command(name = "get-domain", description = "Show a domain and its DKIM selectors")
    static class GetDomain extends Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().get("domains/" + seg(domain));
            return print(n, "domain:    " + text(n, "name") + "\ndmarc:     " + text(n, "dmarcPolicy")
                    + "\ncatch-all: " + text(n, "catchAll") + "\ncreated:   " + text(n, "created") + "\n" + selectors(n));
        }
    }

    @Command(name = "delete-domain", description = "Delete a domain and its DKIM keys (refused while it has users or aliases)")
    static class DeleteDomain extends Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().delete("domains/" + seg(domain));
            return print(n, "deleted domain " + domain);
        }
    }

    @Command(name = "set-catch-all", description = "Deliver mail for unknown addresses of a domain to a user ('none' removes it)")
    static class SetCatchAll extends Cmd {
        @Parameters(index = "0", paramLabel = "DOMAIN")
        String domain;
        @Parameters(index = "1", paramLabel = "TARGET")
        String target;

        @Override
        public Integer call() {
            JsonNode n = "none".equalsIgnoreCase(target)
                    ? root.client().delete("domains/" + seg(domain) + "/catch-all")
                    : root.client().put("domains/" + seg(domain) + "/catch-all", Map.of("target", target));
            return print(n, "catch-all of " + text(n, "name") + ": " + text(n, "catchAll"));
        }
    }

    @Command(name = "dns-records", description = "Print the DNS records to publish for a domain (zone-file text; "
            + "-o json for the records one by one)")
    static class DnsRecords extends Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().get("domains/" + seg(domain) + "/dns");
            return print(n, n.path("zone").asText().stripTrailing() + "\n\n; MTA-STS policy, serve at https://mta-sts."
                    + text(n, "domain") + "/.well-known/mta-sts.txt :\n; "
                    + n.path("mtaStsPolicy").asText().strip().replace("\r\n", "\n").replace("\n", "\n; "));
        }
    }

    @Command(name = "rotate-dkim", description = "Generate new DKIM keys that sign from now on; the old selectors stay published")
    static class RotateDkim extends Cmd {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        public Integer call() {
            JsonNode n = root.client().post("domains/" + seg(domain) + "/dkim/rotate", null);
            return print(n, "rotated DKIM keys of " + text(n, "name") + "\n" + selectors(n)
                    + "\npublish the new records: mailroom-cli dns-records " + text(n, "name"));
        }
    }

    // ---------------------------------------------------------------- client certificates

    @Command(name = "generate-cert", description = "Issue a client certificate for a user (IMAP certificate login, "
            + "S/MIME) and write it as a PKCS#12 file. A previous certificate of the user is revoked.")
    static class GenerateCert extends Base {
        @Parameters(paramLabel = "EMAIL")
        String address;
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "PKCS#12 file to write (default <EMAIL>.p12)")
        Path file;
        @Option(names = "--output-format", paramLabel = "FORMAT", description = "text (default) or json")
        Format format;
        @Option(names = "--password-stdin", description = "read the PKCS#12 password from the first line of stdin")
        boolean passwordStdin;
        @Option(names = "--days", paramLabel = "DAYS", description = "validity in days (default 365)")
        Integer days;
        @Option(names = "--force", description = "overwrite an existing file")
        boolean force;

        @Override
        Format localFormat() {
            return format;
        }

        @Override
        public Integer call() throws IOException {
            Path target = file != null ? file : Path.of(address.strip() + ".p12");
            if (Files.exists(target) && !force) {
                throw new UsageError(target + " exists (use --force to overwrite)");
            }
            // the file is prepared first: issuing revokes the previous certificate, so a PKCS#12 that then
            // cannot be written would leave the user with none
            Path tmp = prepare(target);
            JsonNode n;
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("password", root.password(passwordStdin, "PKCS#12 password"));
                body.put("validityDays", days);
                n = root.client().post("users/" + seg(address) + "/certificate", body);
                byte[] p12 = Base64.getDecoder().decode(n.path("pkcs12").asText());
                write(tmp, target, p12);
            } finally {
                Files.deleteIfExists(tmp);
            }
            ObjectNode shown = ((ObjectNode) n.deepCopy());
            shown.remove("pkcs12");
            shown.put("file", target.toString());
            JsonNode cert = n.path("certificate");
            String text = "wrote " + target + " (certificate " + text(cert, "serial") + " for " + text(cert, "address")
                    + ", valid until " + text(cert, "notAfter") + ")";
            if (n.hasNonNull("revokedPrevious")) {
                text += "\nrevoked the previous certificate " + n.get("revokedPrevious").asText();
            }
            if (n.hasNonNull("password")) {
                text += "\nPKCS#12 password: " + n.get("password").asText() + "   (shown only this once)";
            }
            return print(shown, text);
        }

        /** An empty temporary file (mode 0600) next to the target, or a usage error saying why there can be none. */
        private static Path prepare(Path target) {
            Path dir = target.toAbsolutePath().getParent();
            try {
                return Files.createTempFile(dir, ".mailroom-", ".p12",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (IOException e) {
                throw new UsageError("cannot write " + target + " (" + e.getClass().getSimpleName() + ": "
                        + dir + "); no certificate was issued");
            }
        }

        private void write(Path tmp, Path target, byte[] bytes) throws IOException {
            try {
                Files.write(tmp, bytes, StandardOpenOption.TRUNCATE_EXISTING);
                if (force) {
                    Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.move(tmp, target);
                }
            } catch (FileAlreadyExistsException e) {
                throw new UsageError(target + " exists (use --force to overwrite)");
            }
        }
    }

    @Command(name = "revoke-cert", description = "Revoke a user's client certificate")
    static class RevokeCert extends Cmd {
        @Parameters(paramLabel = "EMAIL")
        String address;

        @Override
        public Integer call() {
            JsonNode n = root.client().delete("users/" + seg(address) + "/certificate");
            return print(n, "revoked certificate " + text(n, "serial") + " of " + text(n, "address"));
        }
    }

    @Command(name = "list-certs", description = "List the users' current client certificates")
    static class ListCerts extends Cmd {
        @Override
        public Integer call() {
            JsonNode n = root.client().get("certificates");
            StringBuilder sb = new StringBuilder(String.format("%-40s %-34s %s", "ADDRESS", "SERIAL", "NOT AFTER"));
            for (JsonNode c : n) {
                sb.append(String.format("%n%-40s %-34s %s", c.path("address").asText(), c.path("serial").asText(),
                        c.path("notAfter").asText()));
            }
            return print(n, sb.toString());
        }
    }
}
