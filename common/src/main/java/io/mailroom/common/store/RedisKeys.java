package io.mailroom.common.store;

/**
 * The Redis schema (DESIGN.md, "Runtime store"). This class is its one owner: no other
 * class builds these key names, and Dovecot's dict passdb/userdb reads the {@code user:}
 * keys through {@code mailroom/dovecot/dovecot-dict-auth.conf.ext} in this module.
 */
public final class RedisKeys {
    public static final String USER = "user:";
    public static final String ALIAS = "alias:";
    public static final String DOMAIN = "domain:";
    public static final String CERT = "cert:";
    /**
     * {@code domain-users:<domain>}: a sorted set (all scores 0, so in address order) of the
     * domain's user addresses plus the member "" that marks it complete; it finds a domain's first
     * user (its postmaster of last resort) without a SCAN of every user.
     */
    public static final String DOMAIN_USERS = "domain-users:";
    /** {@code delivered:<message digest>:<recipient>} = "1" with a TTL: who already got a message (Inbox retries). */
    public static final String DELIVERED = "delivered:";
    /** {@code dnsbl:<zone>:<ip>} = "listed" | "clean" with a TTL (Inbox connection checks). */
    public static final String DNSBL = "dnsbl:";
    /** {@code rdns:<ip>} = forward-confirmed reverse name or "" with a TTL (Inbox connection checks). */
    public static final String RDNS = "rdns:";

    /**
     * {@code dmarc-reports:<domain>}: a hash of the DMARC aggregate reports received for the
     * domain, field {@code <reporter>!<report id>} (a resent report replaces itself), value the
     * parsed report as JSON (ReceivedReports).
     */
    public static final String DMARC_REPORTS = "dmarc-reports:";
    /** {@code tls-reports:<domain>}: the same for SMTP TLS reports (RFC 8460). */
    public static final String TLS_REPORTS = "tls-reports:";

    private RedisKeys() {}

    public static String dmarcReports(String domain) {
        return DMARC_REPORTS + domain;
    }

    public static String tlsReports(String domain) {
        return TLS_REPORTS + domain;
    }

    public static String user(String address) {
        return USER + address;
    }

    public static String alias(String address) {
        return ALIAS + address;
    }

    public static String domain(String name) {
        return DOMAIN + name;
    }

    public static String domainUsers(String domain) {
        return DOMAIN_USERS + domain;
    }

    public static String cert(String address) {
        return CERT + address;
    }

    public static String delivered(String messageDigest, String recipient) {
        return DELIVERED + messageDigest + ":" + recipient;
    }

    public static String dnsbl(String zone, String ip) {
        return DNSBL + zone + ":" + ip;
    }

    public static String rdns(String ip) {
        return RDNS + ip;
    }
}
