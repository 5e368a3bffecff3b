package io.mailroom.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;

/**
 * A real Dovecot with IMAP and LMTP on free loopback ports. Its passdb and userdb are
 * Dovecot's {@code dict} driver on the given Redis, with the key layout that the
 * account store in {@code common} owns (read from the classpath resource
 * {@value #AUTH_TEMPLATE}, so every module tests against the one definition).
 * Mail is stored as Maildir under {@link #mailRoot()}.
 */
public class DovecotServer extends ExternalServer {
    /** Classpath resource provided by mailroom-common: the dict passdb/userdb definition. */
    public static final String AUTH_TEMPLATE = "mailroom/dovecot/dovecot-dict-auth.conf.ext";
    /** The Dovecot configuration shared with {@code ./mailroom up}: {@code config/dovecot/dovecot.conf.in}. */
    static final String CONFIG_TEMPLATE = "mailroom-config/dovecot/dovecot.conf.in";

    private final RedisServer redis;
    private final int imapPort = FreePorts.next();
    private final int lmtpPort = FreePorts.next();
    private final int imapsPort;
    private String extraConfig = "";
    private Path sslCert;
    private Path sslKey;

    public DovecotServer(RedisServer redis) {
        this(redis, false);
    }

    /** With {@code imaps}, an IMAPS listener is opened too; call {@link #ssl} before start. */
    public DovecotServer(RedisServer redis, boolean imaps) {
        super("dovecot");
        this.redis = redis;
        this.imapsPort = imaps ? FreePorts.next() : 0;
    }

    public int imapPort() {
        return imapPort;
    }

    public int imapsPort() {
        return imapsPort;
    }

    public int lmtpPort() {
        return lmtpPort;
    }

    /** Where mailboxes live; the account store must be configured with this root. */
    public Path mailRoot() {
        return workDir().resolve("mail");
    }

    /** Server certificate and key (PEM files) for IMAPS / STARTTLS. */
    public DovecotServer ssl(Path certPem, Path keyPem) {
        this.sslCert = certPem;
        this.sslKey = keyPem;
        return this;
    }

    /** More dovecot.conf lines, e.g. {@code ssl_ca} and {@code ssl_verify_client_cert} for client certificates. */
    public DovecotServer extraConfig(String config) {
        this.extraConfig = this.extraConfig + config + "\n";
        return this;
    }

    /** The mail user Dovecot stores mail as: the current user, or {@code mail} when running as root. */
    public static String mailUser() {
        return runningAsRoot() ? "mail" : System.getProperty("user.name");
    }

    @Override
    protected void configure(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        // a killed Dovecot leaves its sockets behind and refuses to start over them ("Socket already exists")
        deleteTree(dir.resolve("run"));
        Path base = Files.createDirectories(dir.resolve("run"));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (runningAsRoot()) {
            chown(mail, "mail", "mail");
        }
        String auth = resource(AUTH_TEMPLATE)
                .replace("@REDIS_HOST@", redis.host())
                .replace("@REDIS_PORT@", String.valueOf(redis.port()));
        Path authFile = dir.resolve("dovecot-dict-auth.conf.ext");
        Files.writeString(authFile, auth);
        Files.writeString(dir.resolve("dovecot.conf"), config(dir, base, authFile));
    }

    private String config(Path dir, Path base, Path authFile) throws IOException {
        String user = System.getProperty("user.name");
        String privileges = runningAsRoot()
                ? """
                  mail_uid = mail
                  mail_gid = mail
                  first_valid_uid = 8
                  first_valid_gid = 8
                  """
                : """
                  default_login_user = %1$s
                  default_internal_user = %1$s
                  default_internal_group = %1$s
                  mail_uid = %1$s
                  mail_gid = %1$s
                  first_valid_uid = 1
                  first_valid_gid = 1
                  """.formatted(user);
        String ssl = sslCert == null ? "ssl = no\n" : """
                ssl = yes
                ssl_cert = <%s
                ssl_key = <%s
                ssl_min_protocol = TLSv1.2
                """.formatted(sslCert, sslKey);
        String template = resource(CONFIG_TEMPLATE);
        return template.replace("@RUN_DIR@", base.toString())
                .replace("@LOG_FILE@", dir.resolve("dovecot.log").toString())
                .replace("@PRIVILEGES@", privileges)
                .replace("@SSL@", ssl)
                // loopback test clients may log in without TLS
                .replace("@DISABLE_PLAINTEXT_AUTH@", "no")
                // tests log in with wrong passwords on purpose: no growing penalty per client IP, no cache
                .replace("@AUTH_TUNING@", """
                        auth_cache_size = 0
                        auth_failure_delay = 0
                        login_trusted_networks = 127.0.0.0/8
                        service anvil {
                          unix_listener anvil-auth-penalty {
                            mode = 0
                          }
                        }
                        """)
                .replace("@AUTH_FILE@", authFile.toString())
                .replace("@IMAP_PORT@", String.valueOf(imapPort))
                .replace("@IMAPS_PORT@", String.valueOf(imapsPort))
                .replace("@LMTP_PORT@", String.valueOf(lmtpPort))
                .replace("@POSTMASTER@", "postmaster@example.test")
                .replace("@EXTRA@", extraConfig);
    }

    @Override
    protected List<String> command(Path dir) {
        return List.of(binary(), "-F", "-c", dir.resolve("dovecot.conf").toString());
    }

    @Override
    protected List<Path> extraLogs() {
        return workDir() == null ? List.of() : List.of(workDir().resolve("dovecot.log"));
    }

    @Override
    protected boolean ready() {
        return accepts(imapPort) && accepts(lmtpPort);
    }

    @Override
    protected String binary() {
        return "dovecot";
    }

    @Override
    protected String debianPackage() {
        return "dovecot-imapd dovecot-lmtpd";
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + name + " not found"
                        + (name.equals(AUTH_TEMPLATE) ? ": add mailroom-common to the test classpath" : ""));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void chown(Path path, String user, String group) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(lookup.lookupPrincipalByName(user));
        GroupPrincipal g = lookup.lookupPrincipalByGroupName(group);
        view.setGroup(g);
    }
}
