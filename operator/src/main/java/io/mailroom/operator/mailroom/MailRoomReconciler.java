package io.mailroom.operator.mailroom;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailRoomSpec;
import io.mailroom.operator.api.MailRoomStatus;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.kube.ResourceApplier;
import io.mailroom.operator.kube.ResourceApplier.Outcome;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Turns a MailRoom into its workloads, Services, ConfigMaps, NetworkPolicies and Secrets, and
 * reports the workloads' availability in {@code status.conditions}.
 */
@ControllerConfiguration(name = "mailroom")
public class MailRoomReconciler implements Reconciler<MailRoom> {
    private static final Logger LOG = Logger.getLogger(MailRoomReconciler.class);
    public static final String BACKUP_SCHEDULED = "BackupScheduled";

    private final KubernetesClient client;
    private final ResourceApplier applier;
    private final MailRoomManifests manifests;

    @Inject
    public MailRoomReconciler(KubernetesClient client, OperatorSettings settings) {
        this.client = client;
        this.applier = new ResourceApplier(client);
        this.manifests = new MailRoomManifests(settings);
    }

    @Override
    public UpdateControl<MailRoom> reconcile(MailRoom mr, Context<MailRoom> context) {
        MailRoomStatus status = apply(mr);
        mr.setStatus(status);
        boolean ready = Conditions.isTrue(status.conditions, Conditions.READY);
        // workloads report progress through the informers; the timer is a safety net, short while a
        // new Service still waits for its cluster IP (no informer watches Services)
        boolean addressed = serviceAddresses(mr, MailRoomNames.of(mr.getMetadata().getName()))
                .sufficeFor(Component.RSPAMD);
        Duration next = ready ? Duration.ofMinutes(10) : addressed ? Duration.ofSeconds(30) : Duration.ofSeconds(2);
        return UpdateControl.patchStatus(mr).rescheduleAfter(next);
    }

    /** Creates or updates everything the MailRoom consists of; returns the new status. */
    public MailRoomStatus apply(MailRoom mr) {
        String ns = mr.getMetadata().getNamespace();
        MailRoomNames names = MailRoomNames.of(mr.getMetadata().getName());
        ensureCa(mr, names);
        ensureControllerToken(mr, names);
        List<MailDomain> domains = client.resources(MailDomain.class).inNamespace(ns).list().getItems().stream()
                .filter(d -> d.getSpec() != null && names.base().equals(d.getSpec().mailRoom)).toList();
        int changed = 0;
        ServiceAddresses addresses = serviceAddresses(mr, names);
        if (!addresses.sufficeFor(Component.RSPAMD)) {
            // the API server assigns a cluster IP when a Service is created: create them first, then read it
            for (Service s : manifests.services(mr)) {
                if (applier.apply(mr, s) != Outcome.UNCHANGED) {
                    changed++;
                }
            }
            addresses = serviceAddresses(mr, names);
        }
        for (HasMetadata o : manifests.build(mr, domains, tlsCertificateHash(mr), addresses)) {
            Outcome outcome = applier.apply(mr, o);
            if (outcome != Outcome.UNCHANGED) {
                changed++;
                LOG.infof("%s %s %s/%s", outcome.name().toLowerCase(), o.getKind(), ns, o.getMetadata().getName());
            }
        }
        if (!MailRoomManifests.components(mr).contains(Component.RSPAMD)) {
            changed += removeOwned(mr, names.of(Component.RSPAMD));
        }
        if (!MailRoomManifests.backupEnabled(mr)) {
            changed += removeOwned(mr, names.backup());
        }
        if (changed > 0) {
            LOG.infof("MailRoom %s/%s: %d object(s) written", ns, names.base(), changed);
        }
        return status(mr);
    }

    private ServiceAddresses serviceAddresses(MailRoom mr, MailRoomNames names) {
        String ns = mr.getMetadata().getNamespace();
        return ServiceAddresses.of(clusterIp(ns, names.redis()), clusterIp(ns, names.of(Component.UNBOUND)));
    }

    private String clusterIp(String ns, String service) {
        Service s = client.services().inNamespace(ns).withName(service).get();
        return s == null || s.getSpec() == null ? null : s.getSpec().getClusterIP();
    }

    private String tlsCertificateHash(MailRoom mr) {
        Secret tls = client.secrets().inNamespace(mr.getMetadata().getNamespace())
                .withName(mr.getSpec().tls.secretName).get();
        if (tls == null || tls.getData() == null || tls.getData().get("tls.crt") == null) {
            return "";
        }
        return ResourceApplier.sha256(tls.getData().get("tls.crt")).substring(0, 16);
    }

    /** Deletes the objects of something switched off (only those this MailRoom owns). */
    private int removeOwned(MailRoom mr, String name) {
        String ns = mr.getMetadata().getNamespace();
        List<HasMetadata> found = new ArrayList<>();
        java.util.stream.Stream.of(client.apps().deployments().inNamespace(ns).withName(name).get(),
                        client.batch().v1().cronjobs().inNamespace(ns).withName(name).get(),
                        client.services().inNamespace(ns).withName(name).get(),
                        client.configMaps().inNamespace(ns).withName(name).get(),
                        client.network().v1().networkPolicies().inNamespace(ns).withName(name).get())
                .filter(Objects::nonNull).forEach(found::add);
        int removed = 0;
        for (HasMetadata o : found) {
            boolean ours = o.getMetadata().getOwnerReferences() != null && o.getMetadata().getOwnerReferences()
                    .stream().anyMatch(r -> Objects.equals(r.getUid(), mr.getMetadata().getUid()));
            if (ours) {
                client.resource(o).delete();
                LOG.infof("deleted %s %s/%s (switched off)", o.getKind(), ns, name);
                removed++;
            }
        }
        return removed;
    }

    MailRoomStatus status(MailRoom mr) {
        MailRoomStatus status = new MailRoomStatus();
        if (mr.getStatus() != null && mr.getStatus().conditions != null) {
            status.conditions = new ArrayList<>(mr.getStatus().conditions);
        }
        Long generation = mr.getMetadata().getGeneration();
        status.observedGeneration = generation;
        MailRoomNames names = MailRoomNames.of(mr.getMetadata().getName());
        status.caSecret = names.caSecret();
        List<String> waiting = new ArrayList<>();
        List<Component> components = MailRoomManifests.components(mr);
        for (Component c : components) {
            int want = MailRoomManifests.replicas(mr, c);
            int ready = readyReplicas(mr, c);
            boolean available = ready >= want;
            if (!available) {
                waiting.add(c.id());
            }
            Conditions.set(status.conditions, c.conditionType(), available,
                    available ? "ReplicasReady" : "ReplicasNotReady", ready + "/" + want + " replicas ready",
                    generation);
        }
        // a component switched off has no condition
        Set<String> current = components.stream().map(Component::conditionType).collect(Collectors.toSet());
        status.conditions.removeIf(c -> c.getType().endsWith("Available") && !current.contains(c.getType()));
        MailRoomSpec.BackupSpec backup = mr.getSpec().backup;
        if (backup == null || backup.schedule == null) {
            status.conditions.removeIf(c -> BACKUP_SCHEDULED.equals(c.getType()));
        } else if (MailRoomManifests.backupEnabled(mr)) {
            Conditions.set(status.conditions, BACKUP_SCHEDULED, true, "Scheduled",
                    "CronJob " + names.backup() + " runs at '" + backup.schedule + "'", generation);
        } else {
            Conditions.set(status.conditions, BACKUP_SCHEDULED, false, "BackupIncomplete",
                    "a backup needs spec.backup.target and spec.backup.encryptionKeySecret", generation);
        }
        Conditions.set(status.conditions, Conditions.READY, waiting.isEmpty(),
                waiting.isEmpty() ? "AllComponentsAvailable" : "ComponentsNotAvailable",
                waiting.isEmpty() ? "all components are available" : "waiting for " + String.join(", ", waiting),
                generation);
        return status;
    }

    private int readyReplicas(MailRoom mr, Component c) {
        String ns = mr.getMetadata().getNamespace();
        String name = MailRoomNames.of(mr.getMetadata().getName()).of(c);
        if (MailRoomManifests.isStatefulSet(c)) {
            StatefulSet s = client.apps().statefulSets().inNamespace(ns).withName(name).get();
            return s == null || s.getStatus() == null || s.getStatus().getReadyReplicas() == null ? 0
                    : s.getStatus().getReadyReplicas();
        }
        Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
        return d == null || d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0
                : d.getStatus().getAvailableReplicas();
    }

    /** The client-certificate CA: created once, never replaced (its certificates would stop chaining). */
    private void ensureCa(MailRoom mr, MailRoomNames names) {
        String ns = mr.getMetadata().getNamespace();
        if (client.secrets().inNamespace(ns).withName(names.caSecret()).get() != null) {
            return;
        }
        applier.createIfAbsent(mr, InstallationSecrets.ca(mr));
        LOG.infof("created the client-certificate CA Secret %s/%s", ns, names.caSecret());
    }

    /** The bearer token of the Controller API (mailroom-cli reads it from this Secret). */
    private void ensureControllerToken(MailRoom mr, MailRoomNames names) {
        if (client.secrets().inNamespace(mr.getMetadata().getNamespace()).withName(names.controllerToken())
                .get() == null) {
            applier.createIfAbsent(mr, InstallationSecrets.controllerToken(mr));
        }
        if (client.secrets().inNamespace(mr.getMetadata().getNamespace()).withName(names.outboxAdminToken())
                .get() == null) {
            applier.createIfAbsent(mr, InstallationSecrets.outboxAdminToken(mr));
        }
    }

    @Override
    public List<EventSource<?, MailRoom>> prepareEventSources(EventSourceContext<MailRoom> context) {
        var deployments = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Deployment.class, MailRoom.class).build(), context);
        var statefulSets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(StatefulSet.class, MailRoom.class).build(), context);
        // a MailDomain's DKIM Secret is mounted into the Outbox and Controller of its MailRoom
        var mailDomains = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(MailDomain.class, MailRoom.class)
                        .withSecondaryToPrimaryMapper((MailDomain d) -> d.getSpec() == null ? Set.of()
                                : Set.of(new ResourceID(d.getSpec().mailRoom, d.getMetadata().getNamespace())))
                        .build(), context);
        return List.of(deployments, statefulSets, mailDomains);
    }

    @Override
    public ErrorStatusUpdateControl<MailRoom> updateErrorStatus(MailRoom mr, Context<MailRoom> context,
            Exception e) {
        MailRoomStatus status = mr.getStatus() == null ? new MailRoomStatus() : mr.getStatus();
        Conditions.set(status.conditions, Conditions.READY, false, "ReconcileFailed",
                Objects.toString(e.getMessage(), e.getClass().getSimpleName()), mr.getMetadata().getGeneration());
        mr.setStatus(status);
        return ErrorStatusUpdateControl.patchStatus(mr);
    }
}
