package io.mailroom.controller;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mailroom.common.dns.DnsRecord;
import io.mailroom.common.store.Alias;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.common.store.User;
import java.security.cert.X509Certificate;
import java.util.List;

/** Request and response bodies of the API. Password hashes and private keys never appear in them. */
public final class Views {
    private Views() {}

    public record NewUser(String address, String password, String quota) {}

    public record NewPassword(String password) {}

    public record Quota(String quota) {}

    public record NewAlias(String address, String target) {}

    public record NewDomain(String name, String dmarcPolicy) {}

    public record CatchAll(String target) {}

    public record NewCertificate(String password, Integer validityDays) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UserView(String address, boolean disabled, String quota, String home, String created,
            List<String> aliases, String password) {
        static UserView of(User u, List<Alias> aliases, String generatedPassword) {
            String rule = u.quotaRule();
            String quota = rule == null ? null : rule.substring(rule.indexOf('=') + 1);
            return new UserView(u.address().toString(), u.disabled(), quota, u.record().home(), u.record().created(),
                    aliases == null ? null : aliases.stream().map(a -> a.address().toString()).toList(),
                    generatedPassword);
        }
    }

    public record UserPage(List<UserView> items, int offset, int limit, long total) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PasswordChanged(String address, String password) {}

    public record UserDeleted(String address, boolean mailboxPurged, String revokedCertificate) {}

    public record AliasView(String address, String target) {
        static AliasView of(Alias a) {
            return new AliasView(a.address().toString(), a.target().toString());
        }
    }

    public record DkimView(String selector, String algorithm, boolean signing, String created, String publicKey) {
        static DkimView of(DkimKeyInfo k) {
            return new DkimView(k.selector(), k.algorithm(), k.signing(), k.created(), k.publicKey());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DomainView(String name, String dmarcPolicy, String catchAll, String created, List<DkimView> dkim) {
        static DomainView of(DomainRecord d) {
            return new DomainView(d.name(), d.dmarcPolicy(), d.catchAll(), d.created(),
                    d.dkim().stream().map(DkimView::of).toList());
        }
    }

    public record RecordView(String name, String type, long ttl, String value, String data, String purpose) {
        static RecordView of(DnsRecord r) {
            return new RecordView(r.name(), r.type(), r.ttl(), r.value(), r.data(), r.purpose());
        }
    }

    public record DnsView(String domain, List<RecordView> records, String mtaStsPolicy, String zone) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CertificateView(String address, String serial, String subject, String issuer, String notBefore,
            String notAfter, String certificate) {
        static CertificateView of(String address, X509Certificate c, String pem) {
            return new CertificateView(address, c.getSerialNumber().toString(16), c.getSubjectX500Principal().getName(),
                    c.getIssuerX500Principal().getName(), c.getNotBefore().toInstant().toString(),
                    c.getNotAfter().toInstant().toString(), pem);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IssuedView(CertificateView certificate, String pkcs12, String password, String revokedPrevious) {}

    public record Revoked(String address, String serial) {}
}
