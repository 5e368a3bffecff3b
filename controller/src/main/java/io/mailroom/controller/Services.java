package io.mailroom.controller;

import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.common.dkim.DomainKeys;
import io.mailroom.common.dns.DnsRecords;
import io.mailroom.common.keys.KeyDirectory;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.tls.PemTls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the shared logic of {@code common} (keys, DNS records, CA) with the Controller's configuration. */
@ApplicationScoped
public class Services {
    @Inject
    AccountStore store;
    @Inject
    KeyDirectory keys;

    @ConfigProperty(name = "mailroom.dkim.selector-prefix", defaultValue = "mr")
    String selectorPrefix;
    @ConfigProperty(name = "mailroom.hostname")
    Optional<String> hostname;
    @ConfigProperty(name = "mailroom.tls.cert")
    Optional<String> inboxCertificate;
    @ConfigProperty(name = "mailroom.mta-sts.mode", defaultValue = "enforce")
    String mtaStsMode;
    @ConfigProperty(name = "mailroom.dns.ttl", defaultValue = "3600")
    long ttl;
    @ConfigProperty(name = "mailroom.ca.name", defaultValue = "Mail Room")
    String caName;

    private volatile ClientCertificateAuthority ca;

    @Produces
    @Singleton
    DomainKeys domainKeys() {
        return new DomainKeys(store, keys, selectorPrefix, Clock.systemUTC());
    }

    /** The client CA, created in the key directory on first use. */
    public ClientCertificateAuthority ca() {
        ClientCertificateAuthority c = ca;
        if (c == null) {
            synchronized (this) {
                if (ca == null) {
                    ca = ClientCertificateAuthority.loadOrCreate(keys, caName);
                }
                c = ca;
            }
        }
        return c;
    }

    /** DNS settings for a domain; the Inbox certificate is read on each call, so a renewed one shows at once. */
    public DnsRecords.Settings dnsSettings(String domain) {
        X509Certificate cert = null;
        if (inboxCertificate.isPresent() && !inboxCertificate.get().isBlank()) {
            try {
                cert = PemTls.certificates(Files.readString(Path.of(inboxCertificate.get()))).get(0);
            } catch (IOException e) {
                throw new io.mailroom.common.MailRoomException("cannot read the Inbox certificate (MAILROOM_TLS_CERT)");
            }
        }
        return new DnsRecords.Settings(hostname.filter(h -> !h.isBlank()).orElse("mail." + domain), cert, mtaStsMode,
                ttl);
    }
}
