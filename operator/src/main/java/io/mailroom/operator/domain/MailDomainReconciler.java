package io.mailroom.operator.domain;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.mailroom.common.ConflictException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailDomainSpec;
import io.mailroom.operator.api.MailDomainStatus;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.crypto.Pem;
import io.mailroom.common.dns.DnsRecords;
import io.mailroom.operator.api.DnsRecord;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.kube.SecretData;
import io.mailroom.operator.kube.Installations;
import io.mailroom.operator.kube.ResourceApplier;
import io.mailroom.operator.store.InstallationStores;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A MailDomain: its DKIM keys in a Secret (generated once, kept while the Secret exists), the
 * domain in the installation's account store, and every DNS record to publish in its status.
 */
@ControllerConfiguration(name = "maildomain")
public class MailDomainReconciler implements Reconciler<MailDomain>, Cleaner<MailDomain> {
    private static final Logger LOG = Logger.getLogger(MailDomainReconciler.class);
    static final long DNS_TTL = 3600;

    private final KubernetesClient client;
    private final InstallationStores stores;

    @Inject
    public MailDomainReconciler(KubernetesClient client, InstallationStores stores) {
        this.client = client;
        this.stores = stores;
    }

    @Override
    public UpdateControl<MailDomain> reconcile(MailDomain md, Context<MailDomain> context) {
        MailDomainStatus status = apply(md);
        md.setStatus(status);
        return UpdateControl.patchStatus(md).rescheduleAfter(
                Conditions.isTrue(status.conditions, Conditions.READY) ? Duration.ofMinutes(10)
                        : Duration.ofSeconds(30));
    }

    public MailDomainStatus apply(MailDomain md) {
        MailDomainStatus status = new MailDomainStatus();
        if (md.getStatus() != null) {
            status.conditions = new ArrayList<>(md.getStatus().conditions);
        }
        Long generation = md.getMetadata().getGeneration();
        status.observedGeneration = generation;
        String ns = md.getMetadata().getNamespace();
        MailDomainSpec spec = md.getSpec();
        Optional<MailRoom> mr = Installations.mailRoom(client, ns, spec.mailRoom);
        if (mr.isEmpty()) {
            Conditions.set(status.conditions, Conditions.READY, false, "MailRoomNotFound",
                    "no MailRoom " + spec.mailRoom + " in namespace " + ns, generation);
            return status;
        }
        Map<String, DkimKeyInfo> keys = ensureDkimKeys(md);
        status.dkimSecret = DkimSecrets.secretName(md);
        DomainRecord record;
        try {
            record = registerInStore(md, mr.get(), keys);
        } catch (MailRoomException | io.vertx.core.VertxException | IllegalStateException e) {
            Conditions.set(status.conditions, Conditions.READY, false, "StoreUnavailable",
                    "cannot register the domain in the account store: " + e.getMessage(), generation);
            return status;
        }
        X509Certificate mxCert = tlsCertificate(ns, mr.get().getSpec().tls.secretName);
        // the same records the Controller publishes for a domain (common's DnsRecords)
        DnsRecords.Settings dns = new DnsRecords.Settings(mr.get().getSpec().hostnames.mx, mxCert, "enforce",
                DNS_TTL);
        status.dnsRecords = DnsRecords.forDomain(record, dns).stream().map(DnsRecord::of).toList();
        status.mtaStsPolicy = DnsRecords.mtaStsPolicy(dns);
        if (mxCert == null) {
            Conditions.set(status.conditions, Conditions.READY, false, "TlsCertificateMissing",
                    "TLS Secret " + mr.get().getSpec().tls.secretName
                            + " has no tls.crt yet; the TLSA record is missing from status.dnsRecords",
                    generation);
        } else {
            Conditions.set(status.conditions, Conditions.READY, true, "Reconciled",
                    "domain registered; publish status.dnsRecords in DNS", generation);
        }
        return status;
    }

    /** Reads the DKIM keys from their Secret, generating only the selectors it does not hold yet. */
    Map<String, DkimKeyInfo> ensureDkimKeys(MailDomain md) {
        String ns = md.getMetadata().getNamespace();
        String name = DkimSecrets.secretName(md);
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        MailDomainKeys.Keys keys = MailDomainKeys.ensure(md, secret == null ? null : secret.getData());
        keys.generated().forEach(selector -> LOG.infof("generated DKIM key %s for %s", selector,
                md.getSpec().domain));
        if (secret == null) {
            Secret created = new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns)
                    .addToLabels("app.kubernetes.io/managed-by", "mailroom-operator")
                    .addToLabels("mailroom.io/domain", md.getSpec().domain).endMetadata()
                    .withType("Opaque").withData(keys.secretData()).build();
            ResourceApplier.setOwner(md, created);
            client.resource(created).create();
        } else if (!keys.generated().isEmpty()) {
            // only adds keys: an existing key is never replaced
            secret.setData(keys.secretData());
            client.resource(secret).update();
        }
        return keys.keys();
    }

    private DomainRecord registerInStore(MailDomain md, MailRoom mr, Map<String, DkimKeyInfo> keys) {
        return MailDomainKeys.register(stores.store(md.getMetadata().getNamespace(), mr.getMetadata().getName()), md,
                keys);
    }

    private X509Certificate tlsCertificate(String ns, String secretName) {
        Secret tls = client.secrets().inNamespace(ns).withName(secretName).get();
        if (tls == null || tls.getData() == null || tls.getData().get("tls.crt") == null) {
            return null;
        }
        try {
            return Pem.readCertificate(SecretData.decode(tls.getData().get("tls.crt")));
        } catch (IllegalArgumentException e) {
            LOG.warnf("TLS Secret %s/%s holds no readable certificate", ns, secretName);
            return null;
        }
    }

    /** Removes the domain from the store once its users are gone; gives up if the MailRoom itself is gone. */
    @Override
    public DeleteControl cleanup(MailDomain md, Context<MailDomain> context) {
        String ns = md.getMetadata().getNamespace();
        Optional<MailRoom> mr = Installations.mailRoom(client, ns, md.getSpec().mailRoom);
        if (mr.isEmpty()) {
            return DeleteControl.defaultDelete();
        }
        try {
            AccountStore store = stores.store(ns, mr.get().getMetadata().getName());
            if (store.domain(md.getSpec().domain).isPresent()) {
                store.deleteDomain(md.getSpec().domain);
            }
            return DeleteControl.defaultDelete();
        } catch (ConflictException e) {
            LOG.infof("domain %s still has accounts; waiting before removing it", md.getSpec().domain);
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
        }
    }
}
