package io.mailroom.operator.cert;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.mailroom.common.InvalidInputException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.operator.api.ClientCertificate;
import io.mailroom.operator.api.ClientCertificateStatus;
import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.common.ca.IssuedCertificate;
import io.mailroom.operator.crypto.Pem;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.kube.SecretData;
import io.mailroom.operator.kube.Installations;
import io.mailroom.operator.kube.ResourceApplier;
import io.mailroom.operator.mailroom.MailRoomNames;
import io.mailroom.operator.store.InstallationStores;
import jakarta.inject.Inject;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x509.GeneralName;
import org.jboss.logging.Logger;

/**
 * A ClientCertificate: a certificate for the user from the installation's CA, written with its
 * key and a PKCS#12 bundle into the named Secret. Issued again only when the Secret is missing,
 * was not issued by the current CA for this user, or has less than a third of its validity left.
 */
@ControllerConfiguration(name = "clientcertificate")
public class ClientCertificateReconciler implements Reconciler<ClientCertificate> {
    private static final Logger LOG = Logger.getLogger(ClientCertificateReconciler.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final int DEFAULT_VALIDITY_DAYS = 365;

    private final KubernetesClient client;
    private final InstallationStores stores;

    @Inject
    public ClientCertificateReconciler(KubernetesClient client, InstallationStores stores) {
        this.client = client;
        this.stores = stores;
    }

    @Override
    public UpdateControl<ClientCertificate> reconcile(ClientCertificate cc, Context<ClientCertificate> context) {
        ClientCertificateStatus status = apply(cc);
        cc.setStatus(status);
        return UpdateControl.patchStatus(cc).rescheduleAfter(
                Conditions.isTrue(status.conditions, Conditions.READY) ? Duration.ofHours(12)
                        : Duration.ofSeconds(30));
    }

    public ClientCertificateStatus apply(ClientCertificate cc) {
        ClientCertificateStatus status = new ClientCertificateStatus();
        if (cc.getStatus() != null) {
            status.conditions = new ArrayList<>(cc.getStatus().conditions);
        }
        Long generation = cc.getMetadata().getGeneration();
        status.observedGeneration = generation;
        String ns = cc.getMetadata().getNamespace();
        EmailAddress user;
        try {
            user = EmailAddress.parse(cc.getSpec().user);
        } catch (InvalidInputException e) {
            return failed(status, "InvalidUser", e.getMessage(), generation);
        }
        Optional<String> mailRoom = Installations.mailRoomName(client, ns, cc.getSpec().mailRoom, user.domain());
        if (mailRoom.isEmpty()) {
            return failed(status, "MailRoomNotFound", "no MailDomain for " + user.domain() + " in namespace " + ns,
                    generation);
        }
        Secret caSecret = client.secrets().inNamespace(ns).withName(MailRoomNames.of(mailRoom.get()).caSecret())
                .get();
        if (caSecret == null || caSecret.getData() == null || !caSecret.getData().containsKey("ca.key")) {
            return failed(status, "CaNotReady", "the CA Secret of MailRoom " + mailRoom.get() + " does not exist yet",
                    generation);
        }
        ClientCertificateAuthority ca = new ClientCertificateAuthority(Pem.readCertificate(decode(caSecret, "ca.crt")),
                Pem.readPrivateKey(decode(caSecret, "ca.key")));
        Duration validity = Duration.ofDays(cc.getSpec().validityDays == null ? DEFAULT_VALIDITY_DAYS
                : cc.getSpec().validityDays);
        Secret existing = client.secrets().inNamespace(ns).withName(cc.getSpec().secretName).get();
        if (existing != null && !ownedBy(existing, cc)) {
            return failed(status, "SecretConflict", "Secret " + cc.getSpec().secretName
                    + " exists and does not belong to this ClientCertificate", generation);
        }
        X509Certificate cert = existing == null ? null : current(existing, ca, user, validity);
        if (cert == null) {
            cert = issue(cc, ca, user, validity, existing);
        }
        try {
            var store = stores.store(ns, mailRoom.get());
            if (store.user(user.toString()).isPresent()) {
                String pem = Pem.certificate(cert);
                if (!pem.equals(store.certificate(user.toString()).orElse(null))) {
                    store.setCertificate(user.toString(), pem); // public part only, for S/MIME at rest
                }
            }
        } catch (MailRoomException | io.vertx.core.VertxException | IllegalStateException e) {
            LOG.warnf("cannot record the certificate of %s in the store: %s", user, e.getMessage());
        }
        status.serialNumber = cert.getSerialNumber().toString(16);
        status.notBefore = cert.getNotBefore().toInstant().toString();
        status.notAfter = cert.getNotAfter().toInstant().toString();
        status.sha256Fingerprint = fingerprint(cert);
        Conditions.set(status.conditions, Conditions.READY, true, "Issued",
                "certificate in Secret " + cc.getSpec().secretName, generation);
        return status;
    }

    private X509Certificate issue(ClientCertificate cc, ClientCertificateAuthority ca, EmailAddress user,
            Duration validity, Secret existing) {
        String ns = cc.getMetadata().getNamespace();
        byte[] pw = new byte[18];
        RANDOM.nextBytes(pw);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(pw);
        // the same certificates the Controller issues (common's ClientCertificateAuthority)
        IssuedCertificate issued = ca.issue(user, password.toCharArray(), validity);
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", SecretData.encode(issued.certificatePem()));
        data.put("tls.key", SecretData.encode(issued.privateKeyPem()));
        data.put("ca.crt", SecretData.encode(ca.certificatePem()));
        data.put("keystore.p12", Base64.getEncoder().encodeToString(issued.pkcs12()));
        data.put("keystore-password", SecretData.encode(password));
        Secret secret = new SecretBuilder().withNewMetadata().withName(cc.getSpec().secretName).withNamespace(ns)
                .addToLabels("app.kubernetes.io/managed-by", "mailroom-operator").endMetadata()
                .withType("kubernetes.io/tls").withData(data).build();
        ResourceApplier.setOwner(cc, secret);
        if (existing == null) {
            client.resource(secret).create();
        } else {
            secret.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            client.resource(secret).update();
        }
        LOG.infof("issued a client certificate for %s into Secret %s/%s (serial %s)", user, ns,
                cc.getSpec().secretName, issued.certificate().getSerialNumber().toString(16));
        return issued.certificate();
    }

    /** The Secret's certificate if it is still good to keep; null when a new one is due. */
    private static X509Certificate current(Secret s, ClientCertificateAuthority ca, EmailAddress user,
            Duration validity) {
        if (s.getData() == null || s.getData().get("tls.crt") == null || s.getData().get("keystore.p12") == null) {
            return null;
        }
        try {
            X509Certificate cert = Pem.readCertificate(decode(s, "tls.crt"));
            if (!ca.issued(cert)) {
                return null;
            }
            boolean forUser = cert.getSubjectAlternativeNames() != null && cert.getSubjectAlternativeNames()
                    .stream().anyMatch(n -> ((Integer) n.get(0)) == GeneralName.rfc822Name
                            && user.toString().equals(n.get(1)));
            Instant notAfter = cert.getNotAfter().toInstant();
            boolean fresh = Instant.now().plus(validity.dividedBy(3)).isBefore(notAfter);
            return forUser && fresh ? cert : null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean ownedBy(Secret s, ClientCertificate cc) {
        List<OwnerReference> refs = s.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> "ClientCertificate".equals(r.getKind())
                && cc.getMetadata().getName().equals(r.getName()));
    }

    private static String decode(Secret s, String key) {
        return SecretData.decode(s.getData().get(key));
    }

    static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ClientCertificateStatus failed(ClientCertificateStatus status, String reason, String message,
            Long generation) {
        Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation);
        return status;
    }
}
