package io.mailroom.operator.mailroom;

import static io.mailroom.operator.mailroom.ComponentConfig.*;

import io.fabric8.kubernetes.api.model.*;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailRoomSpec;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.domain.DkimSecrets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects an installation consists of, built from its MailRoom (and the DKIM Secrets of its
 * MailDomains, which the Outbox and Controller mount). Pure: no API calls here.
 */
public class MailRoomManifests {
    public static final String CONFIG_HASH = "mailroom.io/config-hash";
    public static final String APP = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR_NAME = "mailroom-operator";
    static final long UID = 10001;
    /** The vmail user of the Dovecot image, which the generated dovecot.conf runs every process as. */
    static final long DOVECOT_UID = 1000;

    // no other state: one instance serves the reconciles of every MailRoom, which may run at once
    private final OperatorSettings settings;

    public MailRoomManifests(OperatorSettings settings) {
        this.settings = settings;
    }

    /**
     * Every object of the installation in apply order: config first, then Services, policies and workloads.
     *
     * @param tlsCertificateHash hash of the TLS Secret's certificate: Dovecot reads it only at start, so a
     *                           renewal rolls Dovecot (the Java services reload it themselves)
     * @param addresses          the cluster IPs of Redis and Unbound; a component whose configuration needs one
     *                           that is not known yet is left out until it is
     */
    public List<HasMetadata> build(MailRoom mr, List<MailDomain> domains, String tlsCertificateHash,
            ServiceAddresses addresses) {
        String tlsHash = tlsCertificateHash == null ? "" : tlsCertificateHash;
        List<HasMetadata> out = new ArrayList<>();
        List<Component> components = components(mr).stream().filter(addresses::sufficeFor).toList();
        for (Component c : components) {
            out.add(configMap(mr, c, addresses));
        }
        if (backupEnabled(mr)) {
            out.add(new ConfigMapBuilder().withMetadata(meta(mr, MailRoomNames.of(name(mr)).backup(), null))
                    .withData(ComponentConfig.backup(mr, settings.mailRoot().toString())).build());
        }
        out.addAll(services(mr));
        out.addAll(networkPolicies(mr));
        for (Component c : components) {
            out.add(workload(mr, c, domains, tlsHash, addresses));
        }
        if (backupEnabled(mr)) {
            out.add(backupJob(mr, domains));
        }
        return out;
    }

    public static List<Component> components(MailRoom mr) {
        List<Component> list = new ArrayList<>(List.of(Component.values()));
        if (!rspamdEnabled(mr.getSpec())) {
            list.remove(Component.RSPAMD);
        }
        return list;
    }

    // ------------------------------------------------------------------ config

    ConfigMap configMap(MailRoom mr, Component c, ServiceAddresses addresses) {
        return new ConfigMapBuilder().withMetadata(meta(mr, MailRoomNames.of(name(mr)).of(c), c))
                .withData(ComponentConfig.of(c, mr, settings.mailRoot().toString(), addresses)).build();
    }

    // ------------------------------------------------------------------ services

    public List<Service> services(MailRoom mr) {
        MailRoomNames n = MailRoomNames.of(name(mr));
        List<Service> list = new ArrayList<>();
        list.add(publicService(mr, Component.INBOX, n.of(Component.INBOX), port("smtp", SMTP, "TCP")));
        list.add(publicService(mr, Component.OUTBOX, n.of(Component.OUTBOX), port("submission", SUBMISSION, "TCP"),
                port("submissions", SUBMISSIONS, "TCP")));
        list.add(publicService(mr, Component.DOVECOT, n.of(Component.DOVECOT), port("imaps", IMAPS, "TCP")));
        list.add(internalService(mr, Component.DOVECOT, n.lmtp(), port("lmtp", LMTP, "TCP")));
        list.add(internalService(mr, Component.OUTBOX, n.outboxAdmin(), port("admin", OUTBOX_ADMIN, "TCP")));
        list.add(internalService(mr, Component.CONTROLLER, n.of(Component.CONTROLLER),
                port("http", CONTROLLER, "TCP")));
        if (rspamdEnabled(mr.getSpec())) {
            list.add(internalService(mr, Component.RSPAMD, n.of(Component.RSPAMD), port("rspamd", RSPAMD, "TCP")));
        }
        list.add(internalService(mr, Component.REDIS, n.redis(), port("redis", REDIS, "TCP")));
        list.add(internalService(mr, Component.UNBOUND, n.of(Component.UNBOUND), port("dns", DNS, "UDP"),
                port("dns-tcp", DNS, "TCP")));
        return list;
    }

    private Service publicService(MailRoom mr, Component c, String name, ServicePort... ports) {
        MailRoomSpec.ExposeSpec e = mr.getSpec().expose;
        String type = e == null || e.type == null ? "LoadBalancer" : e.type.name();
        ObjectMeta meta = meta(mr, name, c);
        if (e != null && e.annotations != null) {
            meta.setAnnotations(new LinkedHashMap<>(e.annotations));
        }
        return new ServiceBuilder().withMetadata(meta).withNewSpec().withType(type)
                // keeps the client's address visible to the Inbox (SPF, logs)
                .withExternalTrafficPolicy("Local")
                .withSelector(selector(mr, c)).withPorts(ports).endSpec().build();
    }

    private Service internalService(MailRoom mr, Component c, String name, ServicePort... ports) {
        return new ServiceBuilder().withMetadata(meta(mr, name, c)).withNewSpec().withType("ClusterIP")
                .withSelector(selector(mr, c)).withPorts(ports).endSpec().build();
    }

    private static ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol)
                .withTargetPort(new IntOrString(port)).build();
    }

    // ------------------------------------------------------------------ network policies

    /** Ingress only along the flows of DESIGN.md; everything else into the installation's pods is denied. */
    List<NetworkPolicy> networkPolicies(MailRoom mr) {
        MailRoomNames n = MailRoomNames.of(name(mr));
        List<NetworkPolicy> list = new ArrayList<>();
        list.add(new NetworkPolicyBuilder().withMetadata(meta(mr, n.defaultDeny(), null)).withNewSpec()
                .withNewPodSelector().withMatchLabels(Map.of(INSTANCE, name(mr))).endPodSelector()
                .withPolicyTypes("Ingress").endSpec().build());
        list.add(policy(mr, Component.INBOX, rule(List.of(), tcp(SMTP))));
        list.add(policy(mr, Component.OUTBOX, rule(List.of(), tcp(SUBMISSION), tcp(SUBMISSIONS)),
                // the queue admin API: the Controller only
                rule(List.of(peer(mr, Component.CONTROLLER)), tcp(OUTBOX_ADMIN))));
        list.add(policy(mr, Component.DOVECOT, rule(List.of(), tcp(IMAPS)),
                rule(List.of(peer(mr, Component.INBOX), peer(mr, Component.OUTBOX)), tcp(LMTP))));
        list.add(policy(mr, Component.CONTROLLER,
                rule(List.of(new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build()),
                        tcp(CONTROLLER))));
        if (rspamdEnabled(mr.getSpec())) {
            list.add(policy(mr, Component.RSPAMD, rule(List.of(peer(mr, Component.INBOX)), tcp(RSPAMD))));
        }
        NetworkPolicyPeer operator = new NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector()
                .withMatchLabels(Map.of("kubernetes.io/metadata.name", settings.operatorNamespace()))
                .endNamespaceSelector()
                .withNewPodSelector().withMatchLabels(Map.of(APP, OPERATOR_NAME)).endPodSelector().build();
        NetworkPolicyPeer backup = new NetworkPolicyPeerBuilder().withNewPodSelector()
                .withMatchLabels(Map.of(INSTANCE, name(mr), COMPONENT, BACKUP)).endPodSelector().build();
        List<NetworkPolicyPeer> redisClients = new ArrayList<>(List.of(peer(mr, Component.INBOX),
                peer(mr, Component.OUTBOX), peer(mr, Component.CONTROLLER), peer(mr, Component.DOVECOT), backup,
                operator));
        if (rspamdEnabled(mr.getSpec())) {
            // Rspamd's redis.conf points at this Redis (greylisting, Bayes, rate limits)
            redisClients.add(peer(mr, Component.RSPAMD));
        }
        list.add(policy(mr, Component.REDIS, rule(redisClients, tcp(REDIS))));
        List<NetworkPolicyPeer> dnsClients = new ArrayList<>(List.of(peer(mr, Component.INBOX),
                peer(mr, Component.OUTBOX)));
        if (rspamdEnabled(mr.getSpec())) {
            dnsClients.add(peer(mr, Component.RSPAMD));
        }
        list.add(policy(mr, Component.UNBOUND, rule(dnsClients, udp(DNS), tcp(DNS))));
        return list;
    }

    private NetworkPolicy policy(MailRoom mr, Component c, NetworkPolicyIngressRule... rules) {
        return new NetworkPolicyBuilder().withMetadata(meta(mr, MailRoomNames.of(name(mr)).of(c), c)).withNewSpec()
                .withNewPodSelector().withMatchLabels(selector(mr, c)).endPodSelector()
                .withPolicyTypes("Ingress").withIngress(rules).endSpec().build();
    }

    private static NetworkPolicyIngressRule rule(List<NetworkPolicyPeer> from, NetworkPolicyPort... ports) {
        return new NetworkPolicyIngressRuleBuilder().withFrom(from).withPorts(ports).build();
    }

    private static NetworkPolicyPeer peer(MailRoom mr, Component c) {
        return new NetworkPolicyPeerBuilder().withNewPodSelector().withMatchLabels(selector(mr, c)).endPodSelector()
                .build();
    }

    private static NetworkPolicyPort tcp(int port) {
        return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
    }

    private static NetworkPolicyPort udp(int port) {
        return new NetworkPolicyPortBuilder().withProtocol("UDP").withPort(new IntOrString(port)).build();
    }

    // ------------------------------------------------------------------ workloads

    HasMetadata workload(MailRoom mr, Component c, List<MailDomain> domains, String tlsCertificateHash,
            ServiceAddresses addresses) {
        MailRoomNames n = MailRoomNames.of(name(mr));
        java.util.Map<String, String> config = new java.util.TreeMap<>(
                ComponentConfig.of(c, mr, settings.mailRoot().toString(), addresses));
        if (c == Component.DOVECOT) {
            config.put("tls-certificate", tlsCertificateHash);
        }
        String configHash = ComponentConfig.hash(config);
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        mounts.add(mount("tmp", "/tmp", false));
        Container container = new ContainerBuilder().withName(c.id()).withImage(image(mr, c))
                .withImagePullPolicy("IfNotPresent").build();
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        switch (c) {
            case INBOX, OUTBOX, CONTROLLER -> {
                container.setEnvFrom(List.of(new EnvFromSourceBuilder().withNewConfigMapRef()
                        .withName(n.of(c)).endConfigMapRef().build()));
                volumes.add(secretVolume("tls", mr.getSpec().tls.secretName));
                mounts.add(mount("tls", TLS_DIR, true));
                int http = c == Component.CONTROLLER ? CONTROLLER : HTTP;
                List<ContainerPort> ports = new ArrayList<>();
                if (c == Component.INBOX) {
                    ports.add(containerPort("smtp", SMTP, "TCP"));
                } else if (c == Component.OUTBOX) {
                    ports.add(containerPort("submission", SUBMISSION, "TCP"));
                    ports.add(containerPort("submissions", SUBMISSIONS, "TCP"));
                    claims.add(claim("queue", mr.getSpec().storage == null ? null : mr.getSpec().storage.queue,
                            "1Gi"));
                    mounts.add(mount("queue", SPOOL_DIR, false));
                    ports.add(containerPort("admin", OUTBOX_ADMIN, "TCP"));
                }
                if (c == Component.OUTBOX || c == Component.CONTROLLER) {
                    volumes.add(secretVolume("outbox-admin", n.outboxAdminToken()));
                    mounts.add(mount("outbox-admin", OUTBOX_ADMIN_TOKEN_DIR, true));
                }
                ports.add(containerPort("http", http, "TCP"));
                container.setPorts(ports);
                container.setLivenessProbe(httpProbe("/q/health/live", http));
                container.setReadinessProbe(httpProbe("/q/health/ready", http));
                if (c == Component.OUTBOX || c == Component.CONTROLLER) {
                    volumes.add(keysVolume(mr, c, domains));
                    mounts.add(mount("keys", KEYS_DIR, true));
                }
                if (c == Component.CONTROLLER) {
                    volumes.add(secretVolume("token", n.controllerToken()));
                    mounts.add(mount("token", TOKEN_DIR, true));
                }
            }
            case DOVECOT -> {
                container.setCommand(List.of("dovecot", "-F", "-c", "/etc/dovecot/dovecot.conf"));
                container.setPorts(List.of(containerPort("imaps", IMAPS, "TCP"), containerPort("lmtp", LMTP, "TCP")));
                volumes.add(configVolume("config", n.of(c)));
                mounts.add(mount("config", "/etc/dovecot", true));
                volumes.add(secretVolume("tls", mr.getSpec().tls.secretName));
                mounts.add(mount("tls", TLS_DIR, true));
                // the CA's certificate only (never its key): Dovecot verifies client certificates with it
                volumes.add(new VolumeBuilder().withName("ca").withNewSecret().withSecretName(n.caSecret())
                        .withItems(new KeyToPath("ca.crt", null, "ca.crt")).withDefaultMode(0400).endSecret()
                        .build());
                mounts.add(mount("ca", CA_DIR, true));
                volumes.add(emptyDir("run"));
                mounts.add(mount("run", "/run/dovecot", false));
                volumes.add(emptyDir("state"));
                mounts.add(mount("state", "/var/lib/dovecot", false));
                claims.add(claim("mail", mr.getSpec().storage == null ? null : mr.getSpec().storage.mail, "10Gi"));
                mounts.add(mount("mail", settings.mailRoot().toString(), false));
                container.setLivenessProbe(tcpProbe(IMAPS));
                container.setReadinessProbe(tcpProbe(LMTP));
            }
            case RSPAMD -> {
                container.setPorts(List.of(containerPort("rspamd", RSPAMD, "TCP")));
                volumes.add(configVolume("config", n.of(c)));
                mounts.add(mount("config", "/etc/rspamd/local.d", true));
                volumes.add(emptyDir("db"));
                mounts.add(mount("db", "/var/lib/rspamd", false));
                volumes.add(emptyDir("run"));
                mounts.add(mount("run", "/run/rspamd", false));
                container.setLivenessProbe(tcpProbe(RSPAMD));
                container.setReadinessProbe(tcpProbe(RSPAMD));
            }
            case REDIS -> {
                container.setCommand(List.of("redis-server", "/etc/redis/redis.conf"));
                container.setPorts(List.of(containerPort("redis", REDIS, "TCP")));
                volumes.add(configVolume("config", n.of(c)));
                mounts.add(mount("config", "/etc/redis", true));
                claims.add(claim("data", mr.getSpec().storage == null ? null : mr.getSpec().storage.redis, "1Gi"));
                mounts.add(mount("data", "/data", false));
                Probe ping = new ProbeBuilder().withNewExec().withCommand("redis-cli", "ping").endExec()
                        .withPeriodSeconds(10).withTimeoutSeconds(3).build();
                container.setLivenessProbe(ping);
                container.setReadinessProbe(ping);
            }
            case UNBOUND -> {
                container.setCommand(List.of("unbound", "-d", "-c", "/etc/unbound/custom/unbound.conf"));
                container.setPorts(List.of(containerPort("dns", DNS, "UDP"), containerPort("dns-tcp", DNS, "TCP")));
                volumes.add(configVolume("config", n.of(c)));
                mounts.add(mount("config", "/etc/unbound/custom", true));
                container.setLivenessProbe(tcpProbe(DNS));
                container.setReadinessProbe(tcpProbe(DNS));
            }
        }
        container.setVolumeMounts(mounts);
        container.setSecurityContext(containerSecurity(needsLowPort(c)));
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(labels(mr, c)).withAnnotations(Map.of(CONFIG_HASH, configHash))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(podSecurity(c == Component.DOVECOT ? DOVECOT_UID : UID, needsLowPort(c)))
                .withContainers(container)
                .withVolumes(volumes)
                .endSpec().build();
        ObjectMeta meta = meta(mr, n.of(c), c);
        LabelSelector selector = new LabelSelectorBuilder().withMatchLabels(selector(mr, c)).build();
        if (claims.isEmpty()) {
            return new DeploymentBuilder().withMetadata(meta).withNewSpec().withReplicas(replicas(mr, c))
                    .withSelector(selector).withTemplate(template).endSpec().build();
        }
        return new StatefulSetBuilder().withMetadata(meta).withNewSpec().withReplicas(replicas(mr, c))
                .withServiceName(c == Component.REDIS ? n.redis() : n.of(c))
                .withSelector(selector).withTemplate(template).withVolumeClaimTemplates(claims)
                // mail, queue and Redis data outlive the MailRoom: deleting them is a separate decision
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Retain").withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .endSpec().build();
    }

    // ------------------------------------------------------------------ backup

    public static final String BACKUP = "backup";

    /** A backup runs only with a schedule, a target and an encryption key: archives are never written in clear. */
    public static boolean backupEnabled(MailRoom mr) {
        MailRoomSpec.BackupSpec b = mr.getSpec().backup;
        return b != null && b.schedule != null && b.target != null && b.encryptionKeySecret != null;
    }

    /**
     * The nightly backup as a CronJob: the backup module's one-shot command ({@code now}) with the
     * mail volume mounted read-only. The volume is ReadWriteOnce, so the job runs on Dovecot's node.
     */
    CronJob backupJob(MailRoom mr, List<MailDomain> domains) {
        MailRoomNames n = MailRoomNames.of(name(mr));
        MailRoomSpec.BackupSpec b = mr.getSpec().backup;
        Map<String, String> labels = new LinkedHashMap<>(labels(mr, null));
        labels.put(COMPONENT, BACKUP);
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(emptyDir("tmp"));
        mounts.add(mount("tmp", "/tmp", false));
        volumes.add(new VolumeBuilder().withName("mail").withNewPersistentVolumeClaim()
                .withClaimName(n.mailVolume()).withReadOnly(true).endPersistentVolumeClaim().build());
        mounts.add(mount("mail", settings.mailRoot().toString(), true));
        volumes.add(keysVolume(mr, Component.CONTROLLER, domains));
        mounts.add(mount("keys", KEYS_DIR, true));
        volumes.add(secretVolume("backup-key", b.encryptionKeySecret));
        mounts.add(mount("backup-key", BACKUP_KEY_DIR, true));
        if (b.target.startsWith("pvc:")) {
            volumes.add(new VolumeBuilder().withName("target").withNewPersistentVolumeClaim()
                    .withClaimName(b.target.substring(4)).endPersistentVolumeClaim().build());
            mounts.add(mount("target", BACKUP_DIR, false));
        } else if (b.rcloneConfigSecret != null) {
            volumes.add(secretVolume("rclone", b.rcloneConfigSecret));
            mounts.add(mount("rclone", RCLONE_DIR, true));
        }
        Map<String, String> config = ComponentConfig.backup(mr, settings.mailRoot().toString());
        Container container = new ContainerBuilder().withName(BACKUP)
                .withImage(Images.image(BACKUP, settings))
                .withImagePullPolicy("IfNotPresent").withArgs("now")
                .withEnvFrom(new EnvFromSourceBuilder().withNewConfigMapRef().withName(n.backup()).endConfigMapRef()
                        .build())
                .withVolumeMounts(mounts).withSecurityContext(containerSecurity(false)).build();
        Map<String, String> dovecot = selector(mr, Component.DOVECOT);
        return new CronJobBuilder().withMetadata(meta(mr, n.backup(), null)).editMetadata().withLabels(labels)
                .endMetadata()
                .withNewSpec().withSchedule(b.schedule).withConcurrencyPolicy("Forbid")
                .withSuccessfulJobsHistoryLimit(3).withFailedJobsHistoryLimit(3)
                .withNewJobTemplate().withNewSpec().withBackoffLimit(2)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels)
                .withAnnotations(Map.of(CONFIG_HASH, ComponentConfig.hash(config))).endMetadata()
                .withNewSpec().withRestartPolicy("OnFailure")
                .withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                // reads the mailboxes as their owner, Dovecot's user: a pod of another fsGroup would have
                // the kubelet change the group of every file on the mail volume at each run
                .withSecurityContext(podSecurity(DOVECOT_UID, false))
                .withNewAffinity().withNewPodAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNewLabelSelector().withMatchLabels(dovecot).endLabelSelector()
                .withTopologyKey("kubernetes.io/hostname").endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity().endAffinity()
                .withContainers(container).withVolumes(volumes)
                .endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build();
    }

    static boolean isStatefulSet(Component c) {
        return c == Component.OUTBOX || c == Component.DOVECOT || c == Component.REDIS;
    }

    /** Ports below 1024 need NET_BIND_SERVICE; nothing else gets a capability. */
    static boolean needsLowPort(Component c) {
        return c == Component.INBOX || c == Component.OUTBOX || c == Component.DOVECOT || c == Component.UNBOUND;
    }

    /** The DKIM keys of the installation's domains and the CA, laid out as {@code KeyDirectory} expects. */
    private Volume keysVolume(MailRoom mr, Component c, List<MailDomain> domains) {
        List<VolumeProjection> sources = new ArrayList<>();
        for (MailDomain d : domains) {
            if (d.getStatus() == null || d.getStatus().dkimSecret == null) {
                continue;
            }
            List<KeyToPath> items = new ArrayList<>();
            for (String selector : DkimSecrets.selectors(d)) {
                items.add(new KeyToPathBuilder().withKey(selector + ".key")
                        .withPath("dkim/" + d.getSpec().domain + "/" + selector + ".key").build());
            }
            sources.add(new VolumeProjectionBuilder().withNewSecret().withName(d.getStatus().dkimSecret)
                    .withItems(items).withOptional(true).endSecret().build());
        }
        if (c == Component.CONTROLLER) {
            sources.add(new VolumeProjectionBuilder().withNewSecret()
                    .withName(MailRoomNames.of(name(mr)).caSecret())
                    .withItems(new KeyToPath("ca.crt", null, "ca/ca.crt"), new KeyToPath("ca.key", null, "ca/ca.key"))
                    .endSecret().build());
        }
        return new VolumeBuilder().withName("keys").withNewProjected().withDefaultMode(0400).withSources(sources)
                .endProjected().build();
    }

    /**
     * Restricted pods. A non-root process gets no effective capability from the container's
     * NET_BIND_SERVICE alone (no ambient capabilities), so pods with ports below 1024 also lower
     * the unprivileged port range of their own network namespace (a "safe" sysctl).
     */
    private static PodSecurityContext podSecurity(long uid, boolean lowPorts) {
        var b = new PodSecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(uid).withRunAsGroup(uid)
                .withFsGroup(uid).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
        if (lowPorts) {
            b.addNewSysctl("net.ipv4.ip_unprivileged_port_start", "0");
        }
        return b.build();
    }

    private static SecurityContext containerSecurity(boolean lowPort) {
        return new SecurityContextBuilder().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true).withPrivileged(false)
                .withNewCapabilities().withDrop("ALL").withAdd(lowPort ? List.of("NET_BIND_SERVICE") : List.of())
                .endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    private static Probe httpProbe(String path, int port) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(port)).endHttpGet()
                .withInitialDelaySeconds(5).withPeriodSeconds(10).withTimeoutSeconds(3).withFailureThreshold(3)
                .build();
    }

    private static Probe tcpProbe(int port) {
        return new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket()
                .withInitialDelaySeconds(5).withPeriodSeconds(10).withTimeoutSeconds(3).build();
    }

    private static ContainerPort containerPort(String name, int port, String protocol) {
        return new ContainerPortBuilder().withName(name).withContainerPort(port).withProtocol(protocol).build();
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(readOnly).build();
    }

    private static Volume emptyDir(String name) {
        return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
    }

    private static Volume secretVolume(String name, String secret) {
        return new VolumeBuilder().withName(name).withNewSecret().withSecretName(secret).withDefaultMode(0400)
                .endSecret().build();
    }

    private static Volume configVolume(String name, String configMap) {
        return new VolumeBuilder().withName(name).withNewConfigMap().withName(configMap).endConfigMap().build();
    }

    private static PersistentVolumeClaim claim(String name, MailRoomSpec.VolumeSpec spec, String defaultSize) {
        String size = spec == null || spec.size == null ? defaultSize : spec.size;
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(spec == null ? null : spec.storageClass)
                .withNewResources().withRequests(Map.of("storage", new Quantity(size))).endResources()
                .endSpec().build();
    }

    private String image(MailRoom mr, Component c) {
        MailRoomSpec.ComponentSpec cs = componentSpec(mr, c);
        return cs == null || cs.image == null || cs.image.isBlank() ? Images.defaultImage(c, settings) : cs.image;
    }

    static int replicas(MailRoom mr, Component c) {
        if (c == Component.REDIS || c == Component.DOVECOT) {
            return 1; // one writer of the store and of the mailboxes
        }
        MailRoomSpec.ComponentSpec cs = componentSpec(mr, c);
        return cs == null || cs.replicas == null ? 1 : cs.replicas;
    }

    private static MailRoomSpec.ComponentSpec componentSpec(MailRoom mr, Component c) {
        MailRoomSpec.Components cs = mr.getSpec().components;
        if (cs == null) {
            return null;
        }
        return switch (c) {
            case INBOX -> cs.inbox;
            case OUTBOX -> cs.outbox;
            case CONTROLLER -> cs.controller;
            case DOVECOT -> cs.dovecot;
            case RSPAMD -> cs.rspamd;
            case REDIS -> cs.redis;
            case UNBOUND -> cs.unbound;
        };
    }

    static String name(MailRoom mr) {
        return mr.getMetadata().getName();
    }

    static ObjectMeta meta(MailRoom mr, String name, Component c) {
        return new ObjectMetaBuilder().withName(name).withNamespace(mr.getMetadata().getNamespace())
                .withLabels(labels(mr, c)).build();
    }

    public static Map<String, String> labels(MailRoom mr, Component c) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(APP, "mailroom");
        l.put(INSTANCE, name(mr));
        if (c != null) {
            l.put(COMPONENT, c.id());
        }
        l.put(MANAGED_BY, OPERATOR_NAME);
        return l;
    }

    static Map<String, String> selector(MailRoom mr, Component c) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(INSTANCE, name(mr));
        l.put(COMPONENT, c.id());
        return l;
    }
}
