package io.mailroom.operator.domain;

import io.mailroom.operator.api.DnsRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The DNS records a mail domain needs, in zone-file form: MX, SPF (RFC 7208), DKIM (RFC 6376 /
 * 8463), DMARC (RFC 7489), MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and TLSA for DANE (RFC 7672).
 */
public final class DnsRecordPublisher {
    private DnsRecordPublisher() {}

    /** A DKIM public key: selector, key type ({@code rsa} / {@code ed25519}) and the {@code p=} value. */
    public record DkimPublicKey(String selector, String keyType, String publicKey) {}

    public record Input(String domain, String mxHost, List<DkimPublicKey> dkim, String dmarcPolicy,
            String dmarcReportAddress, String tlsReportAddress, X509Certificate mxCertificate) {}

    public static List<DnsRecord> records(Input in) {
        String zone = fqdn(in.domain());
        List<DnsRecord> out = new ArrayList<>();
        out.add(new DnsRecord("MX", zone, "MX", "10 " + fqdn(in.mxHost())));
        out.add(new DnsRecord("SPF", zone, "TXT", "v=spf1 mx -all"));
        for (DkimPublicKey k : in.dkim()) {
            out.add(new DnsRecord("DKIM", k.selector() + "._domainkey." + zone, "TXT",
                    "v=DKIM1; k=" + k.keyType() + "; p=" + k.publicKey()));
        }
        String dmarc = "v=DMARC1; p=" + in.dmarcPolicy() + "; adkim=s; aspf=s";
        if (in.dmarcReportAddress() != null) {
            dmarc += "; rua=mailto:" + in.dmarcReportAddress();
        }
        out.add(new DnsRecord("DMARC", "_dmarc." + zone, "TXT", dmarc));
        out.add(new DnsRecord("MTA-STS", "_mta-sts." + zone, "TXT", "v=STSv1; id=" + mtaStsId(in)));
        out.add(new DnsRecord("TLS-RPT", "_smtp._tls." + zone, "TXT", "v=TLSRPTv1; rua=mailto:"
                + (in.tlsReportAddress() == null ? "postmaster@" + in.domain() : in.tlsReportAddress())));
        if (in.mxCertificate() != null) {
            out.add(new DnsRecord("TLSA", "_25._tcp." + fqdn(in.mxHost()), "TLSA",
                    "3 1 1 " + spkiSha256(in.mxCertificate())));
        }
        return out;
    }

    /** The policy file to serve at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}. */
    public static String mtaStsPolicy(Input in) {
        return "version: STSv1\nmode: enforce\nmx: " + in.mxHost() + "\nmax_age: 604800\n";
    }

    /** Changes whenever the policy does, as RFC 8461 3.1 asks of {@code id}. */
    static String mtaStsId(Input in) {
        return sha256Hex(mtaStsPolicy(in).getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 20);
    }

    /** DANE-EE / SPKI / SHA-256: survives renewals that keep the key. */
    public static String spkiSha256(X509Certificate cert) {
        return sha256Hex(cert.getPublicKey().getEncoded());
    }

    static String fqdn(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
