package io.mailroom.common.dns;

import io.mailroom.common.MailRoomException;
import io.mailroom.common.address.Domains;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Every DNS record a mail domain needs (as published by the Controller and in a {@code MailDomain}'s
 * status): MX, SPF (RFC 7208), DKIM (RFC 6376 / 8463), DMARC (RFC 7489), MTA-STS (RFC 8461),
 * TLS-RPT (RFC 8460) and DANE TLSA {@code 3 1 1} for the MX host (RFC 7672).
 */
public final class DnsRecords {
    /**
     * What the records depend on besides the domain record.
     *
     * @param mxHost           the host name of the Inbox (MX target)
     * @param inboxCertificate the Inbox's TLS certificate for TLSA, or null to leave TLSA out
     * @param mtaStsMode       {@code enforce}, {@code testing} or {@code none}
     * @param ttl              TTL of every record
     */
    public record Settings(String mxHost, X509Certificate inboxCertificate, String mtaStsMode, long ttl) {
        public Settings {
            mxHost = Domains.canonical(mxHost);
            mtaStsMode = mtaStsMode == null ? "enforce" : mtaStsMode;
        }
    }

    public static final long MTA_STS_MAX_AGE = 604800;

    private DnsRecords() {}

    public static List<DnsRecord> forDomain(DomainRecord domain, Settings s) {
        String d = domain.name() + ".";
        String mx = s.mxHost() + ".";
        String reports = "postmaster@" + domain.name();
        List<DnsRecord> out = new ArrayList<>();
        out.add(new DnsRecord(d, "MX", s.ttl(), "10 " + mx, "MX: mail for the domain goes to the Inbox"));
        out.add(new DnsRecord(d, "TXT", s.ttl(), "v=spf1 mx -all", "SPF: only the MX host sends for the domain"));
        for (DkimKeyInfo k : domain.dkim()) {
            out.add(new DnsRecord(k.selector() + "._domainkey." + d, "TXT", s.ttl(), dkimText(k),
                    "DKIM selector " + k.selector() + " (" + k.algorithm() + (k.signing() ? ", signing" : ", retired")
                            + ")"));
        }
        String policy = domain.dmarcPolicy() == null ? "quarantine" : domain.dmarcPolicy();
        out.add(new DnsRecord("_dmarc." + d, "TXT", s.ttl(), "v=DMARC1; p=" + policy + "; rua=mailto:" + reports,
                "DMARC policy and aggregate reports"));
        out.add(new DnsRecord("_mta-sts." + d, "TXT", s.ttl(), "v=STSv1; id=" + mtaStsId(s),
                "MTA-STS: serve the policy at https://mta-sts." + domain.name() + "/.well-known/mta-sts.txt"));
        out.add(new DnsRecord("_smtp._tls." + d, "TXT", s.ttl(), "v=TLSRPTv1; rua=mailto:" + reports,
                "TLS-RPT: where senders report TLS failures"));
        if (s.inboxCertificate() != null) {
            out.add(new DnsRecord("_25._tcp." + mx, "TLSA", s.ttl(), "3 1 1 " + spkiSha256(s.inboxCertificate()),
                    "DANE: SHA-256 of the Inbox certificate's public key (publish in a DNSSEC-signed zone)"));
        }
        return out;
    }

    /** The DKIM key record text: {@code v=DKIM1; k=rsa; p=...}. */
    public static String dkimText(DkimKeyInfo key) {
        return "v=DKIM1; k=" + key.keyType() + "; p=" + key.publicKey();
    }

    /** The body of {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 3.2). */
    public static String mtaStsPolicy(Settings s) {
        return "version: STSv1\r\nmode: " + s.mtaStsMode() + "\r\nmx: " + s.mxHost() + "\r\nmax_age: "
                + MTA_STS_MAX_AGE + "\r\n";
    }

    /** The policy id changes exactly when the policy body changes: a prefix of its SHA-256. */
    public static String mtaStsId(Settings s) {
        return HexFormat.of().formatHex(sha256(mtaStsPolicy(s).getBytes(StandardCharsets.US_ASCII))).substring(0, 20);
    }

    /** TLSA {@code 3 1 1} data: SHA-256 of the certificate's SubjectPublicKeyInfo, in hex. */
    public static String spkiSha256(X509Certificate cert) {
        return HexFormat.of().formatHex(sha256(cert.getPublicKey().getEncoded()));
    }

    /** The records as a zone-file fragment. */
    public static String zoneFile(List<DnsRecord> records) {
        StringBuilder sb = new StringBuilder();
        for (DnsRecord r : records) {
            sb.append("; ").append(r.purpose()).append('\n').append(r.zoneLine()).append('\n');
        }
        return sb.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new MailRoomException("SHA-256 unavailable", e);
        }
    }
}
