package io.mailroom.operator.mailroom;

import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailRoomSpec;
import io.mailroom.operator.api.MailRoomSpec.CheckMode;
import io.mailroom.operator.kube.ResourceApplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration each component reads, as ConfigMap data: environment variables
 * ({@code MAILROOM_*}) for our Java services, configuration files for the others. Only values
 * from the MailRoom's spec go in here; secrets are mounted from Secrets.
 */
public final class ComponentConfig {
    /** Classpath resource from mailroom-common: Dovecot's dict passdb/userdb on the account store. */
    public static final String DOVECOT_DICT_AUTH = "mailroom/dovecot/dovecot-dict-auth.conf.ext";
    /** Classpath resource from mailroom-common: the passdb of client-certificate logins (SASL EXTERNAL). */
    public static final String DOVECOT_DICT_CERT_AUTH = "mailroom/dovecot/dovecot-dict-cert-auth.conf.ext";

    static final int SMTP = 25, SUBMISSION = 587, SUBMISSIONS = 465, IMAPS = 993, LMTP = 24, CONTROLLER = 6804,
            HTTP = 8080, OUTBOX_ADMIN = 6808, RSPAMD = 11333, REDIS = 6379, DNS = 53;
    static final String TLS_DIR = "/etc/mailroom/tls";
    static final String KEYS_DIR = "/etc/mailroom/keys";
    static final String SPOOL_DIR = "/var/spool/mailroom";
    static final String TOKEN_DIR = "/etc/mailroom/token";
    static final String OUTBOX_ADMIN_TOKEN_DIR = "/etc/mailroom/outbox-admin";
    static final String BACKUP_KEY_DIR = "/etc/mailroom/backup-key";
    static final String BACKUP_DIR = "/backup";
    static final String RCLONE_DIR = "/etc/mailroom/rclone";
    static final String CA_DIR = "/etc/mailroom/ca";
    static final String ROOT_TRUST_ANCHOR = "/usr/share/dns/root.key";

    public static Map<String, String> of(Component c, MailRoom mr, String mailRoot, ServiceAddresses addresses) {
        return new ComponentConfig(mailRoot, addresses).build(c, mr);
    }

    private final String mailRoot;
    private final ServiceAddresses addresses;

    private ComponentConfig(String mailRoot, ServiceAddresses addresses) {
        this.mailRoot = mailRoot;
        this.addresses = addresses;
    }

    private Map<String, String> build(Component c, MailRoom mr) {
        MailRoomNames n = MailRoomNames.of(mr.getMetadata().getName());
        MailRoomSpec s = mr.getSpec();
        Map<String, String> d = new TreeMap<>();
        switch (c) {
            case INBOX -> {
                common(d, n, s.hostnames.mx, HTTP);
                d.put("MAILROOM_INBOX_PORT", String.valueOf(SMTP));
                // the Inbox's own names (inbox/application.properties: mailroom.inbox.spf ...)
                d.put("MAILROOM_INBOX_RSPAMD", rspamdEnabled(s) ? "enforce" : "off");
                if (rspamdEnabled(s)) {
                    d.put("MAILROOM_RSPAMD_HOST", n.of(Component.RSPAMD));
                    d.put("MAILROOM_RSPAMD_PORT", String.valueOf(RSPAMD));
                }
                MailRoomSpec.ChecksSpec checks = s.checks == null ? new MailRoomSpec.ChecksSpec() : s.checks;
                d.put("MAILROOM_INBOX_SPF", mode(checks.spf, CheckMode.enforce));
                d.put("MAILROOM_INBOX_DKIM", mode(checks.dkim, CheckMode.tag));
                d.put("MAILROOM_INBOX_ARC", mode(checks.arc, CheckMode.tag));
                d.put("MAILROOM_INBOX_DMARC", mode(checks.dmarc, CheckMode.enforce));
                d.put("MAILROOM_INBOX_ARC_TRUSTED_SEALERS",
                        checks.arcTrustedSealers == null ? "" : String.join(",", checks.arcTrustedSealers));
            }
            case OUTBOX -> {
                common(d, n, s.hostnames.submission, HTTP);
                d.put("MAILROOM_SUBMISSION_PORT", String.valueOf(SUBMISSION));
                d.put("MAILROOM_SUBMISSIONS_PORT", String.valueOf(SUBMISSIONS));
                d.put("MAILROOM_OUTBOX_SPOOL_DIR", SPOOL_DIR);
                d.put("MAILROOM_OUTBOX_ADMIN_PORT", String.valueOf(OUTBOX_ADMIN));
                d.put("MAILROOM_OUTBOX_ADMIN_TOKEN_FILE", OUTBOX_ADMIN_TOKEN_DIR + "/token");
            }
            case CONTROLLER -> {
                common(d, n, s.hostnames.submission, CONTROLLER);
                d.put("MAILROOM_CONTROLLER_PORT", String.valueOf(CONTROLLER));
                d.put("MAILROOM_CONTROLLER_TOKEN_FILE", TOKEN_DIR + "/token");
                // one Outbox replica's queue: the Service picks one (issue of several replicas: see the README)
                d.put("MAILROOM_CONTROLLER_OUTBOX_URL", "http://" + n.outboxAdmin() + ":" + OUTBOX_ADMIN);
                d.put("MAILROOM_CONTROLLER_OUTBOX_TOKEN_FILE", OUTBOX_ADMIN_TOKEN_DIR + "/token");
                d.put("MAILROOM_MX_HOST", s.hostnames.mx);
            }
            case DOVECOT -> {
                d.put("dovecot.conf", dovecotConf(s, mailRoot));
                d.put("dovecot-dict-auth.conf.ext", dictAuth(DOVECOT_DICT_AUTH, addresses.redisAddress(), REDIS));
                d.put("dovecot-dict-cert-auth.conf.ext", dictAuth(DOVECOT_DICT_CERT_AUTH, addresses.redisAddress(),
                        REDIS));
            }
            case RSPAMD -> {
                d.put("options.inc", "dns {\n  nameserver = [\"" + hostPort(addresses.unboundAddress(), DNS)
                        + "\"];\n}\n"
                        + "local_addrs = [\"127.0.0.0/8\", \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\"];\n");
                d.put("redis.conf", "servers = \"" + hostPort(addresses.redisAddress(), REDIS) + "\";\n");
                d.put("worker-normal.inc", "bind_socket = \"*:" + RSPAMD + "\";\n");
                d.put("worker-controller.inc", "bind_socket = \"127.0.0.1:11334\";\n");
                d.put("logging.inc", "type = \"console\";\n");
            }
            case REDIS -> d.put("redis.conf", String.join("\n",
                    "port " + REDIS, "bind * -::*", "protected-mode no", "dir /data", "appendonly yes",
                    "appendfsync everysec", "save 3600 1", "") );
            case UNBOUND -> d.put("unbound.conf", unboundConf(s));
        }
        return d;
    }

    /** The backup job's settings (names of backup/BackupSettings); its schedule is the CronJob's. */
    public static Map<String, String> backup(MailRoom mr, String mailRoot) {
        MailRoomNames n = MailRoomNames.of(mr.getMetadata().getName());
        MailRoomSpec.BackupSpec b = mr.getSpec().backup;
        Map<String, String> d = new TreeMap<>();
        d.put("MAILROOM_HOME", "/tmp/mailroom");
        d.put("MAILROOM_REDIS_URI", "redis://" + n.redis() + ":" + REDIS);
        d.put("MAILROOM_MAIL_ROOT", mailRoot);
        d.put("MAILROOM_KEY_DIR", KEYS_DIR);
        d.put("MAILROOM_BACKUP_PUBLIC_KEY", BACKUP_KEY_DIR + "/public.asc");
        d.put("MAILROOM_BACKUP_ALLOW_UNENCRYPTED", "false");
        if (b.target.startsWith("pvc:")) {
            d.put("MAILROOM_BACKUP_DIR", BACKUP_DIR);
        } else {
            d.put("MAILROOM_BACKUP_DIR", "/tmp/mailroom/backup");
            d.put("MAILROOM_BACKUP_RCLONE_REMOTE", b.target.substring("rclone:".length()));
            if (b.rcloneConfigSecret != null) {
                d.put("MAILROOM_BACKUP_RCLONE_CONFIG", RCLONE_DIR + "/rclone.conf");
            }
        }
        return d;
    }

    /** Hash of a component's configuration, put on its pod template so that a change rolls the pods. */
    public static String hash(Map<String, String> data) {
        return ResourceApplier.hash(new TreeMap<>(data));
    }

    /** The settings every service reads, under the names ./mailroom up uses for them. */
    private void common(Map<String, String> d, MailRoomNames n, String hostname, int httpPort) {
        d.put("MAILROOM_HOME", "/tmp/mailroom");
        d.put("MAILROOM_HOSTNAME", hostname);
        d.put("MAILROOM_BIND_ADDRESS", "0.0.0.0");
        d.put("MAILROOM_REDIS_URI", "redis://" + n.redis() + ":" + REDIS);
        d.put("MAILROOM_KEY_DIR", KEYS_DIR);
        d.put("MAILROOM_MAIL_ROOT", mailRoot);
        d.put("MAILROOM_TLS_CERT", TLS_DIR + "/tls.crt");
        d.put("MAILROOM_TLS_KEY", TLS_DIR + "/tls.key");
        d.put("MAILROOM_LMTP_HOST", n.lmtp());
        d.put("MAILROOM_LMTP_PORT", String.valueOf(LMTP));
        d.put("MAILROOM_DNS_HOST", n.of(Component.UNBOUND));
        d.put("MAILROOM_DNS_PORT", String.valueOf(DNS));
        d.put("QUARKUS_HTTP_HOST", "0.0.0.0");
        d.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
    }

    /** {@code ip:port}, with an IPv6 address in brackets (a cluster may be IPv6-only). */
    static String hostPort(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    static boolean rspamdEnabled(MailRoomSpec s) {
        return s.rspamd == null || s.rspamd.enabled == null || s.rspamd.enabled;
    }

    /** A check left out of the spec gets the Inbox's own default. */
    private static String mode(CheckMode m, CheckMode inboxDefault) {
        return (m == null ? inboxDefault : m).name();
    }

    static String dictAuth(String resource, String host, int port) {
        try (InputStream in = ComponentConfig.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@REDIS_HOST@", host).replace("@REDIS_PORT@", String.valueOf(port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String dovecotConf(MailRoomSpec s, String mailRoot) {
        // the pod's version of config/dovecot/dovecot.conf.in: TLS only, users from Redis
        return String.join("\n",
                "# Written by the Mail Room operator; edit the MailRoom instead.",
                "protocols = imap lmtp",
                "listen = *",
                "base_dir = /run/dovecot",
                "state_dir = /var/lib/dovecot",
                "log_path = /dev/stderr",
                // non-root, as the image's vmail user (MailRoomManifests.DOVECOT_UID): every process is vmail
                "default_login_user = vmail",
                "default_internal_user = vmail",
                "default_internal_group = vmail",
                "mail_uid = vmail",
                "mail_gid = vmail",
                "first_valid_uid = 1",
                "first_valid_gid = 1",
                "ssl = required",
                "ssl_cert = <" + TLS_DIR + "/tls.crt",
                "ssl_key = <" + TLS_DIR + "/tls.key",
                "ssl_min_protocol = TLSv1.2",
                "disable_plaintext_auth = yes",
                // client certificates of the installation's CA log in with SASL EXTERNAL (ClientCertificate);
                // a client without one is not refused. No CRL is published in the cluster yet, hence no
                // CRL requirement: deleting a ClientCertificate does not revoke a copy of its key
                "ssl_ca = <" + CA_DIR + "/ca.crt",
                "ssl_verify_client_cert = yes",
                "ssl_require_crl = no",
                "auth_ssl_username_from_cert = yes",
                "ssl_cert_username_field = commonName",
                "auth_mechanisms = plain login external",
                "mail_plugins = $mail_plugins quota",
                "passdb {", "  driver = dict", "  args = /etc/dovecot/dovecot-dict-auth.conf.ext",
                "  mechanisms = plain login", "}",
                "passdb {", "  driver = dict", "  args = /etc/dovecot/dovecot-dict-cert-auth.conf.ext",
                "  mechanisms = external", "}",
                "userdb {", "  driver = dict", "  args = /etc/dovecot/dovecot-dict-auth.conf.ext", "}",
                // a non-root master cannot chroot: login and anvil chroot by default and die at start
                "service anvil {", "  chroot =", "}",
                "service imap-login {",
                "  chroot =",
                "  inet_listener imap {", "    port = 0", "  }",
                "  inet_listener imaps {", "    port = " + IMAPS, "    ssl = yes", "  }",
                "}",
                "service lmtp {", "  inet_listener lmtp {", "    port = " + LMTP, "  }", "}",
                // quarantine: LMTP to user+Junk@domain lands in Junk (\\Junk), as in config/dovecot/dovecot.conf.in
                "recipient_delimiter = +",
                "lda_mailbox_autocreate = yes",
                "namespace inbox {", "  inbox = yes", "  mailbox Junk {", "    special_use = \\Junk", "  }", "}",
                "protocol lmtp {", "  postmaster_address = postmaster@" + s.hostnames.mx,
                "  lmtp_save_to_detail_mailbox = yes", "}",
                "plugin {", "  quota = maildir:User quota", "}",
                "# mailboxes live under " + mailRoot,
                "");
    }

    private static String unboundConf(MailRoomSpec s) {
        List<String> forwarders = s.resolver == null || s.resolver.forwarders == null ? List.of()
                : s.resolver.forwarders;
        boolean dnssec = s.resolver == null || s.resolver.dnssec == null || s.resolver.dnssec;
        StringBuilder b = new StringBuilder();
        b.append("server:\n")
                .append("  interface: 0.0.0.0\n  port: ").append(DNS).append('\n')
                .append("  do-daemonize: no\n  username: \"\"\n  chroot: \"\"\n  pidfile: \"\"\n")
                .append("  use-syslog: no\n  logfile: \"\"\n  verbosity: 1\n")
                .append("  access-control: 0.0.0.0/0 allow\n")
                .append("  hide-identity: yes\n  hide-version: yes\n  qname-minimisation: yes\n");
        if (dnssec) {
            // the root key from Debian's dns-root-data, which the unbound image carries (images/)
            b.append("  module-config: \"validator iterator\"\n")
                    .append("  trust-anchor-file: ").append(ROOT_TRUST_ANCHOR).append('\n');
        } else {
            b.append("  module-config: \"iterator\"\n");
        }
        if (s.resolver != null && s.resolver.privateDomains != null) {
            for (String d : s.resolver.privateDomains) {
                // transparent: lifts Unbound's default static zones (test., RFC 1918 reverse) for this name
                b.append("  local-zone: \"").append(d).append(".\" transparent\n");
                if (dnssec) {
                    b.append("  domain-insecure: \"").append(d).append("\"\n");
                }
            }
        }
        if (!forwarders.isEmpty()) {
            b.append("forward-zone:\n  name: \".\"\n");
            for (String f : forwarders) {
                b.append("  forward-addr: ").append(f).append('\n');
            }
        }
        return b.toString();
    }
}
