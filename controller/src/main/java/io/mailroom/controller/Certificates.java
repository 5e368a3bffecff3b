package io.mailroom.controller;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.common.ca.IssuedCertificate;
import io.mailroom.common.password.RandomPasswords;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.User;
import io.mailroom.common.tls.PemTls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Client certificates of users: issued by the installation's CA, public part kept in the account store. */
@ApplicationScoped
public class Certificates {
    private static final Logger LOG = Logger.getLogger(Certificates.class);

    @Inject
    AccountStore store;
    @Inject
    Services services;

    public synchronized Views.IssuedView issue(String address, Views.NewCertificate body) {
        User u = store.requireUser(address);
        boolean generate = body == null || body.password() == null || body.password().isEmpty();
        String password = generate ? RandomPasswords.generate() : body.password();
        if (!generate && password.length() < 8) {
            throw new InvalidInputException("PKCS#12 password shorter than 8 characters");
        }
        int days = body == null || body.validityDays() == null ? (int) ClientCertificateAuthority.DEFAULT_VALIDITY.toDays()
                : body.validityDays();
        ClientCertificateAuthority ca = services.ca();
        IssuedCertificate issued = ca.issue(u.address(), password.toCharArray(), Duration.ofDays(days));
        String revoked = revokeStored(u.address().toString());
        store.setCertificate(u.address().toString(), issued.certificatePem());
        LOG.infof("issued client certificate %s for %s", issued.certificate().getSerialNumber().toString(16),
                u.address());
        return new Views.IssuedView(
                Views.CertificateView.of(u.address().toString(), issued.certificate(), issued.certificatePem()),
                Base64.getEncoder().encodeToString(issued.pkcs12()), generate ? password : null, revoked);
    }

    public Optional<Views.CertificateView> current(String address) {
        User u = store.requireUser(address);
        return store.certificate(u.address().toString())
                .map(pem -> Views.CertificateView.of(u.address().toString(), PemTls.certificates(pem).get(0), pem));
    }

    /** Revokes and forgets the user's stored certificate; returns its serial (hex), or null when there was none. */
    public synchronized String revokeStored(String address) {
        Optional<String> pem = store.certificate(address);
        if (pem.isEmpty()) {
            return null;
        }
        X509Certificate cert = PemTls.certificates(pem.get()).get(0);
        ClientCertificateAuthority ca = services.ca();
        if (ca.issued(cert)) {
            ca.revoke(cert);
        }
        store.deleteCertificate(address);
        LOG.infof("revoked client certificate %s of %s", cert.getSerialNumber().toString(16), address);
        return cert.getSerialNumber().toString(16);
    }
}
