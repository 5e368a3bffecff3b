package io.mailroom.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Rspamd (normal worker and controller, no proxy) on free loopback ports, with the
 * overrides of {@code ./mailroom up} ({@code config/rspamd/local.d}): its Redis is the given
 * {@link RedisServer}, its only DNS server the given {@link UnboundServer} (which refuses every
 * name outside the test zones), and every module that would reach the Internet (fuzzy hashes,
 * DNS block lists, remote maps, URL redirectors, external scanners) is off. Greylisting and rate
 * limits are off too, so results do not depend on earlier tests; {@link #localConfig} turns them on.
 * <p>
 * The first start on a machine compiles Rspamd's regular expressions (tens of seconds); the
 * compiled databases are kept in {@value #SHARED_HS_CACHE} for later starts (about 1 s).
 */
public class RspamdServer extends ExternalServer {
    static final String LOCAL_D = "mailroom-config/rspamd/local.d";
    /** Hyperscan databases shared by every test run on this machine (Rspamd writes them atomically). */
    public static final String SHARED_HS_CACHE = "/tmp/mailroom-rspamd-cache";
    private static final String RSPAMD_USER = "_rspamd";

    private final RedisServer redis;
    private final UnboundServer dns;
    private final boolean ownRedis;
    private final boolean ownDns;
    private final int normalPort = FreePorts.next();
    private final int controllerPort = FreePorts.next();
    private final String controllerPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Map<String, String> localConfig = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            // HTTP/1.1 only: Rspamd drops the body of a request that offers an h2c upgrade
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    /** With its own Redis and its own Unbound (which serves no zone). */
    public RspamdServer() {
        this(null, null);
    }

    /**
     * With the given Redis and Unbound; {@code null} starts a private one instead. Given servers
     * are started with Rspamd if they do not run yet, but only private ones are stopped with it.
     */
    public RspamdServer(RedisServer redis, UnboundServer dns) {
        super("rspamd");
        this.ownRedis = redis == null;
        this.ownDns = dns == null;
        this.redis = ownRedis ? new RedisServer() : redis;
        this.dns = ownDns ? new UnboundServer() : dns;
    }

    /** Port of the normal worker: {@code POST /checkv2}. */
    public int normalPort() {
        return normalPort;
    }

    /** Port of the controller: {@code /ping}, {@code /stat}, learning. Loopback clients need no password. */
    public int controllerPort() {
        return controllerPort;
    }

    public String controllerPassword() {
        return controllerPassword;
    }

    public String host() {
        return "127.0.0.1";
    }

    public RedisServer redis() {
        return redis;
    }

    public UnboundServer dns() {
        return dns;
    }

    /**
     * Replaces (or adds) the file {@code local.d/<file>} of the shared configuration, e.g.
     * {@code localConfig("greylist.conf", "enabled = true; timeout = 1s;")}. Takes effect at the
     * next start; call {@link #restart()} when the server runs already.
     */
    public synchronized RspamdServer localConfig(String file, String content) {
        if (!file.matches("[A-Za-z0-9_.-]+") || file.startsWith(".")) {
            throw new IllegalArgumentException("not a local.d file name: " + file);
        }
        localConfig.put(file, content);
        return this;
    }

    @Override
    public synchronized void start() {
        redis.start();
        dns.start();
        super.start();
    }

    @Override
    public synchronized void stop() {
        try {
            super.stop();
        } finally {
            if (ownDns) {
                dns.stop();
            }
            if (ownRedis) {
                redis.stop();
            }
        }
    }

    /** Restarts Rspamd alone (its Redis and Unbound keep running), e.g. after {@link #localConfig}. */
    @Override
    public synchronized void restart() {
        super.stop();
        start();
    }

    @Override
    public String logTail(int lines) {
        return super.logTail(lines) + (ownDns ? dns.logTail(20) : "") + (ownRedis ? redis.logTail(10) : "");
    }

    @Override
    protected Duration startTimeout() {
        // a cold start compiles hyperscan databases; on a busy 2-core machine this took over a minute
        return Duration.ofSeconds(240);
    }

    @Override
    protected void configure(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path localD = Files.createDirectories(dir.resolve("local.d"));
        List<Path> writable = new ArrayList<>();
        for (String sub : List.of("db", "run", "log")) {
            writable.add(Files.createDirectories(dir.resolve(sub)));
        }
        Path hsCache = sharedHsCache().orElse(dir.resolve("db"));
        Map<String, String> files = new LinkedHashMap<>(ConfigResources.directory(LOCAL_D));
        files.putAll(localConfig);
        try (var old = Files.list(localD)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            String content = f.getValue()
                    .replace("@WORKER_PORT@", String.valueOf(normalPort))
                    .replace("@CONTROLLER_PORT@", String.valueOf(controllerPort))
                    .replace("@REDIS_PORT@", String.valueOf(redis.port()))
                    .replace("@DNS_PORT@", String.valueOf(dns.port()))
                    .replace("@HS_CACHE_DIR@", hsCache.toString())
                    .replace("@CONTROLLER_PASSWORD@", controllerPassword);
            Files.writeString(localD.resolve(f.getKey()), content);
        }
        if (runningAsRoot()) {
            for (Path p : writable) {
                DovecotServer.chown(p, RSPAMD_USER, RSPAMD_USER);
            }
        }
    }

    /** The shared cache directory, created for the user Rspamd's workers run as; empty if unusable. */
    private static Optional<Path> sharedHsCache() {
        Path cache = Path.of(SHARED_HS_CACHE);
        try {
            if (!Files.isDirectory(cache)) {
                Files.createDirectories(cache);
                Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
                if (runningAsRoot()) {
                    DovecotServer.chown(cache, RSPAMD_USER, RSPAMD_USER);
                }
            }
            String owner = Files.getOwner(cache).getName();
            String expected = runningAsRoot() ? RSPAMD_USER : System.getProperty("user.name");
            return owner.equals(expected) ? Optional.of(cache) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    protected List<String> command(Path dir) {
        List<String> cmd = new ArrayList<>(List.of(binary(), "-f", "-c", "/etc/rspamd/rspamd.conf"));
        if (runningAsRoot()) {
            cmd.addAll(List.of("-u", RSPAMD_USER, "-g", RSPAMD_USER));
        }
        cmd.add("--var=LOCAL_CONFDIR=" + dir);
        cmd.add("--var=DBDIR=" + dir.resolve("db"));
        cmd.add("--var=RUNDIR=" + dir.resolve("run"));
        cmd.add("--var=LOGDIR=" + dir.resolve("log"));
        return cmd;
    }

    /** Ready when the controller answers {@code /ping} and the normal worker scans a message. */
    @Override
    protected boolean ready() {
        try {
            HttpResponse<String> ping = http.send(HttpRequest.newBuilder(controllerUri("/ping"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            if (ping.statusCode() != 200 || !ping.body().contains("pong")) {
                return false;
            }
            return check("Subject: ready?\r\n\r\nping\r\n".getBytes(StandardCharsets.US_ASCII), Map.of()).action() != null;
        } catch (IOException | IllegalStateException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    protected String binary() {
        return "rspamd";
    }

    @Override
    protected String debianPackage() {
        return "rspamd";
    }

    public URI checkUri() {
        return URI.create("http://127.0.0.1:" + normalPort + "/checkv2");
    }

    public URI controllerUri(String path) {
        return URI.create("http://127.0.0.1:" + controllerPort + path);
    }

    /**
     * Scans a message with {@code POST /checkv2}. {@code headers} are Rspamd's request headers
     * such as {@code IP}, {@code Helo}, {@code From}, {@code Rcpt}, {@code User}.
     */
    public Result check(byte[] message, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(checkUri()).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(message));
        headers.forEach(req::header);
        HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException("rspamd answered HTTP " + resp.statusCode() + ": " + resp.body());
        }
        return new Result(resp.body());
    }

    /** An answer of {@code /checkv2}: the raw JSON and the fields tests look at. */
    public record Result(String json) {
        private static final Pattern ACTION = Pattern.compile("\"action\"\\s*:\\s*\"([^\"]*)\"");
        private static final Pattern SCORE = Pattern.compile("\"score\"\\s*:\\s*(-?[0-9.]+)");
        private static final Pattern SYMBOL = Pattern.compile("\"name\"\\s*:\\s*\"([A-Za-z0-9_]+)\"");

        /** {@code no action}, {@code greylist}, {@code add header}, {@code rewrite subject}, {@code soft reject} or {@code reject}. */
        public String action() {
            Matcher m = ACTION.matcher(json);
            return m.find() ? m.group(1) : null;
        }

        /** The message's total score (the first "score" of the answer is the top-level one). */
        public double score() {
            Matcher m = SCORE.matcher(json);
            if (!m.find()) {
                throw new IllegalStateException("no score in " + json);
            }
            return Double.parseDouble(m.group(1));
        }

        /** Names of the symbols that matched, e.g. {@code GTUBE}, {@code R_SPF_ALLOW}. */
        public Set<String> symbols() {
            Set<String> names = new LinkedHashSet<>();
            Matcher m = SYMBOL.matcher(json);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }
}
