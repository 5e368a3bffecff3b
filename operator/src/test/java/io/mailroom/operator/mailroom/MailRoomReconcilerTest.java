package io.mailroom.operator.mailroom;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.mailroom.operator.Examples;
import io.mailroom.operator.Fixtures;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailRoomSpec;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.crypto.Pem;
import io.mailroom.operator.kube.Conditions;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The MailRoom reconciler against Fabric8's mock API server (CRUD mode), with the example MailRoom of k8s/examples. */
@EnableKubernetesMockClient(crud = true)
class MailRoomReconcilerTest {
    static KubernetesClient client;

    private final MailRoomReconciler reconciler = new MailRoomReconciler(client, OperatorSettings.defaults());

    private MailRoom create(String namespace) {
        MailRoom mr = Examples.load("mailroom.yaml", MailRoom.class);
        mr.getMetadata().setNamespace(namespace);
        return client.resource(mr).create();
    }

    private MailRoom reconcile(MailRoom mr) {
        MailRoom fresh = client.resource(mr).get();
        reconciler.reconcile(fresh, null);
        // the API server gives new Services their cluster IPs, which the next reconcile reads
        if (Fixtures.assignClusterIps(client, fresh.getMetadata().getNamespace()) > 0) {
            fresh = client.resource(mr).get();
            reconciler.reconcile(fresh, null);
        }
        return fresh;
    }

    private List<HasMetadata> all(String ns) {
        List<HasMetadata> out = new ArrayList<>();
        out.addAll(client.apps().deployments().inNamespace(ns).list().getItems());
        out.addAll(client.apps().statefulSets().inNamespace(ns).list().getItems());
        out.addAll(client.services().inNamespace(ns).list().getItems());
        out.addAll(client.configMaps().inNamespace(ns).list().getItems());
        out.addAll(client.secrets().inNamespace(ns).list().getItems());
        out.addAll(client.network().v1().networkPolicies().inNamespace(ns).list().getItems());
        out.addAll(client.batch().v1().cronjobs().inNamespace(ns).list().getItems());
        return out;
    }

    private static Map<String, String> versions(List<HasMetadata> objects) {
        Map<String, String> m = new TreeMap<>();
        objects.forEach(o -> m.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        return m;
    }

    private Map<String, String> configHashes(String ns) {
        Map<String, String> m = new TreeMap<>();
        client.apps().deployments().inNamespace(ns).list().getItems().forEach(d -> m.put(d.getMetadata().getName(),
                d.getSpec().getTemplate().getMetadata().getAnnotations().get(MailRoomManifests.CONFIG_HASH)));
        client.apps().statefulSets().inNamespace(ns).list().getItems().forEach(d -> m.put(d.getMetadata().getName(),
                d.getSpec().getTemplate().getMetadata().getAnnotations().get(MailRoomManifests.CONFIG_HASH)));
        return m;
    }

    @Test
    void exampleMailRoomYieldsEveryObjectWithItsContent() throws Exception {
        MailRoom mr = reconcile(create("ex"));
        String ns = "ex";

        assertThat(client.apps().deployments().inNamespace(ns).list().getItems())
                .extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("mailroom-inbox", "mailroom-controller", "mailroom-rspamd", "mailroom-unbound");
        assertThat(client.apps().statefulSets().inNamespace(ns).list().getItems())
                .extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("mailroom-outbox", "mailroom-dovecot", "mailroom-redis");
        assertThat(client.configMaps().inNamespace(ns).list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("mailroom-inbox", "mailroom-outbox", "mailroom-controller",
                        "mailroom-dovecot", "mailroom-rspamd", "mailroom-redis", "mailroom-unbound", "mailroom-backup");
        assertThat(client.secrets().inNamespace(ns).list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("mailroom-ca", "mailroom-controller-token", "mailroom-outbox-admin-token");
        assertThat(client.network().v1().networkPolicies().inNamespace(ns).list().getItems())
                .extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("mailroom-default-deny", "mailroom-inbox", "mailroom-outbox",
                        "mailroom-dovecot", "mailroom-controller", "mailroom-rspamd", "mailroom-redis",
                        "mailroom-unbound");

        // Services: public ports on the chosen type, the rest internal
        Map<String, Service> services = new TreeMap<>();
        client.services().inNamespace(ns).list().getItems().forEach(s -> services.put(s.getMetadata().getName(), s));
        assertThat(services).containsOnlyKeys("mailroom-inbox", "mailroom-outbox", "mailroom-dovecot", "mailroom-lmtp",
                "mailroom-controller", "mailroom-rspamd", "mailroom-redis", "mailroom-unbound", "mailroom-outbox-admin");
        assertThat(ports(services.get("mailroom-outbox-admin"))).containsExactly(6808);
        assertThat(ports(services.get("mailroom-inbox"))).containsExactly(25);
        assertThat(ports(services.get("mailroom-outbox"))).containsExactly(587, 465);
        assertThat(ports(services.get("mailroom-dovecot"))).containsExactly(993);
        for (String pub : List.of("mailroom-inbox", "mailroom-outbox", "mailroom-dovecot")) {
            assertThat(services.get(pub).getSpec().getType()).isEqualTo("LoadBalancer");
        }
        for (String internal : List.of("mailroom-lmtp", "mailroom-controller", "mailroom-rspamd", "mailroom-redis",
                "mailroom-unbound", "mailroom-outbox-admin")) {
            assertThat(services.get(internal).getSpec().getType()).isEqualTo("ClusterIP");
        }
        assertThat(ports(services.get("mailroom-lmtp"))).containsExactly(24);
        assertThat(services.get("mailroom-lmtp").getSpec().getSelector()).containsEntry(MailRoomManifests.COMPONENT,
                "dovecot");

        // configuration: the example's settings reach the components
        ConfigMap inbox = client.configMaps().inNamespace(ns).withName("mailroom-inbox").get();
        assertThat(inbox.getData()).containsEntry("MAILROOM_INBOX_DMARC", "enforce")
                .containsEntry("MAILROOM_INBOX_ARC_TRUSTED_SEALERS", "")
                .containsEntry("MAILROOM_INBOX_SPF", "tag").containsEntry("MAILROOM_INBOX_RSPAMD", "enforce")
                .containsEntry("MAILROOM_HOSTNAME", "mx.example.com")
                .containsEntry("MAILROOM_REDIS_URI", "redis://mailroom-redis:6379")
                .containsEntry("MAILROOM_LMTP_HOST", "mailroom-lmtp")
                .containsEntry("MAILROOM_RSPAMD_HOST", "mailroom-rspamd");
        assertThat(client.configMaps().inNamespace(ns).withName("mailroom-outbox").get().getData())
                .containsEntry("MAILROOM_HOSTNAME", "mail.example.com")
                .containsEntry("MAILROOM_SUBMISSION_PORT", "587").containsEntry("MAILROOM_SUBMISSIONS_PORT", "465")
                .containsEntry("MAILROOM_OUTBOX_SPOOL_DIR", "/var/spool/mailroom");
        ConfigMap dovecot = client.configMaps().inNamespace(ns).withName("mailroom-dovecot").get();
        String dict = dovecot.getData().get("dovecot-dict-auth.conf.ext");
        // Dovecot's Redis dict takes only an IP: the Service's cluster IP, as the API server assigned it
        String redisIp = client.services().inNamespace(ns).withName("mailroom-redis").get().getSpec().getClusterIP();
        String unboundIp = client.services().inNamespace(ns).withName("mailroom-unbound").get().getSpec()
                .getClusterIP();
        assertThat(redisIp).matches("10\\.96\\.\\d+\\.\\d+");
        assertThat(dict).contains("uri = redis:host=" + redisIp + ":port=6379").contains("key = user:%u")
                .doesNotContain("@REDIS").doesNotContain("mailroom-redis");
        // Rspamd's resolver and its Redis, by address too (it resolves names only through that resolver)
        Map<String, String> rspamd = client.configMaps().inNamespace(ns).withName("mailroom-rspamd").get().getData();
        assertThat(rspamd.get("options.inc")).contains("nameserver = [\"" + unboundIp + ":53\"]");
        assertThat(rspamd.get("redis.conf")).contains("servers = \"" + redisIp + ":6379\"");
        // a non-root Dovecot cannot chroot its login processes or anvil
        assertThat(dovecot.getData().get("dovecot.conf")).containsPattern("service anvil \\{\\s+chroot =\\s")
                .containsPattern("service imap-login \\{\\s+chroot =\\s");
        assertThat(dovecot.getData().get("dovecot.conf")).contains("args = /etc/dovecot/dovecot-dict-auth.conf.ext")
                .contains("ssl = required").contains("port = 993");
        assertThat(client.configMaps().inNamespace(ns).withName("mailroom-redis").get().getData().get("redis.conf"))
                .contains("appendonly yes");

        // workloads: images, replicas, volumes, probes, security
        Deployment inboxDeployment = client.apps().deployments().inNamespace(ns).withName("mailroom-inbox").get();
        assertThat(inboxDeployment.getSpec().getReplicas()).isEqualTo(2);
        Container inboxContainer = inboxDeployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(inboxContainer.getImage()).isEqualTo("ghcr.io/mailroom/inbox:0.1.0");
        assertThat(inboxContainer.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(inboxContainer.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(inboxContainer.getEnvFrom().get(0).getConfigMapRef().getName()).isEqualTo("mailroom-inbox");

        StatefulSet dovecotSet = client.apps().statefulSets().inNamespace(ns).withName("mailroom-dovecot").get();
        assertThat(dovecotSet.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("mail");
            assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        });
        assertThat(dovecotSet.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/mail"));
        assertThat(dovecotSet.getSpec().getTemplate().getSpec().getContainers().get(0).getLivenessProbe()
                .getTcpSocket().getPort().getIntVal()).isEqualTo(993);
        StatefulSet outboxSet = client.apps().statefulSets().inNamespace(ns).withName("mailroom-outbox").get();
        assertThat(outboxSet.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests()
                .get("storage").toString()).isEqualTo("2Gi");
        StatefulSet redisSet = client.apps().statefulSets().inNamespace(ns).withName("mailroom-redis").get();
        assertThat(redisSet.getSpec().getTemplate().getSpec().getContainers().get(0).getLivenessProbe().getExec()
                .getCommand()).containsExactly("redis-cli", "ping");

        for (PodTemplateSpec t : templates(ns)) {
            PodSpec pod = t.getSpec();
            String component = t.getMetadata().getLabels().get(MailRoomManifests.COMPONENT);
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(component).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            Container c = pod.getContainers().get(0);
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(component).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            boolean lowPort = c.getPorts().stream().anyMatch(p -> p.getContainerPort() < 1024);
            if (lowPort) {
                assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(component)
                        .containsExactly("NET_BIND_SERVICE");
                assertThat(pod.getSecurityContext().getSysctls()).as(component).singleElement()
                        .satisfies(s -> assertThat(s.getName()).isEqualTo("net.ipv4.ip_unprivileged_port_start"));
            } else {
                assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(component).isEmpty();
                assertThat(pod.getSecurityContext().getSysctls()).as(component).isNullOrEmpty();
            }
            assertThat(c.getLivenessProbe()).as(component).isNotNull();
            assertThat(c.getReadinessProbe()).as(component).isNotNull();
            assertThat(t.getMetadata().getAnnotations()).containsKey(MailRoomManifests.CONFIG_HASH);
        }

        // the nightly backup: the backup module's one-shot command, next to Dovecot, mail read-only
        CronJob backup = client.batch().v1().cronjobs().inNamespace(ns).withName("mailroom-backup").get();
        assertThat(backup.getSpec().getSchedule()).isEqualTo("0 3 * * *");
        assertThat(backup.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        PodSpec job = backup.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(job.getContainers().get(0).getArgs()).containsExactly("now");
        assertThat(job.getContainers().get(0).getImage()).isEqualTo("ghcr.io/mailroom/backup:0.1.0");
        assertThat(job.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .extracting(v -> v.getPersistentVolumeClaim().getClaimName() + " ro=" + v.getPersistentVolumeClaim()
                        .getReadOnly())
                .containsExactlyInAnyOrder("mail-mailroom-dovecot-0 ro=true", "mailroom-backup ro=null");
        assertThat(job.getVolumes()).filteredOn(v -> v.getSecret() != null)
                .extracting(v -> v.getSecret().getSecretName()).containsExactly("mailroom-backup-key");
        // the same user and group as Dovecot, which owns the mail it reads
        PodSecurityContext dovecotPod = dovecotSet.getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(job.getSecurityContext().getRunAsUser()).isEqualTo(dovecotPod.getRunAsUser());
        assertThat(job.getSecurityContext().getFsGroup()).isEqualTo(dovecotPod.getFsGroup());
        assertThat(job.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(job.getAffinity().getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().get(0)
                .getLabelSelector().getMatchLabels()).containsEntry(MailRoomManifests.COMPONENT, "dovecot");
        assertThat(job.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(client.configMaps().inNamespace(ns).withName("mailroom-backup").get().getData())
                .containsEntry("MAILROOM_BACKUP_DIR", "/backup")
                .containsEntry("MAILROOM_BACKUP_PUBLIC_KEY", "/etc/mailroom/backup-key/public.asc")
                .containsEntry("MAILROOM_BACKUP_ALLOW_UNENCRYPTED", "false");
        assertThat(Conditions.find(mr.getStatus().conditions, MailRoomReconciler.BACKUP_SCHEDULED).getStatus())
                .isEqualTo("True");

        // the CA Secret holds a CA certificate and its key
        Secret ca = client.secrets().inNamespace(ns).withName("mailroom-ca").get();
        X509Certificate caCert = Pem.readCertificate(decode(ca, "ca.crt"));
        assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(Pem.readPrivateKey(decode(ca, "ca.key")).getAlgorithm()).isEqualTo("RSA");

        // owner references on everything created: deleting the MailRoom removes it all (garbage collector)
        MailRoom stored = client.resource(mr).get();
        for (HasMetadata o : all(ns)) {
            assertThat(o.getMetadata().getOwnerReferences()).as(o.getKind() + " " + o.getMetadata().getName())
                    .singleElement().satisfies(r -> assertOwner(r, stored));
        }
    }

    @Test
    void networkPoliciesAllowOnlyTheDesignedFlows() {
        reconcile(create("np"));
        NetworkPolicy deny = client.network().v1().networkPolicies().inNamespace("np").withName("mailroom-default-deny")
                .get();
        assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
        assertThat(deny.getSpec().getPodSelector().getMatchLabels()).containsEntry(MailRoomManifests.INSTANCE, "mailroom");

        NetworkPolicy redis = client.network().v1().networkPolicies().inNamespace("np").withName("mailroom-redis").get();
        assertThat(redis.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(6379);
            assertThat(rule.getFrom()).extracting(p -> p.getPodSelector().getMatchLabels()
                    .getOrDefault(MailRoomManifests.COMPONENT, p.getPodSelector().getMatchLabels()
                            .get(MailRoomManifests.APP)))
                    .containsExactlyInAnyOrder("inbox", "outbox", "controller", "dovecot", "rspamd", "backup",
                            "mailroom-operator");
        });
        NetworkPolicy rspamd = client.network().v1().networkPolicies().inNamespace("np").withName("mailroom-rspamd").get();
        assertThat(rspamd.getSpec().getIngress()).singleElement().satisfies(rule ->
                assertThat(rule.getFrom()).extracting(p -> p.getPodSelector().getMatchLabels()
                        .get(MailRoomManifests.COMPONENT)).containsExactly("inbox"));
        NetworkPolicy dovecot = client.network().v1().networkPolicies().inNamespace("np").withName("mailroom-dovecot")
                .get();
        assertThat(dovecot.getSpec().getIngress()).hasSize(2);
        assertThat(dovecot.getSpec().getIngress().get(0).getFrom()).isEmpty(); // IMAPS from anywhere
        assertThat(dovecot.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(993);
        assertThat(dovecot.getSpec().getIngress().get(1).getPorts().get(0).getPort().getIntVal()).isEqualTo(24);
        assertThat(dovecot.getSpec().getIngress().get(1).getFrom()).extracting(p -> p.getPodSelector().getMatchLabels()
                .get(MailRoomManifests.COMPONENT)).containsExactlyInAnyOrder("inbox", "outbox");
        // the Outbox's queue admin API only from the Controller, submission from anywhere
        NetworkPolicy outbox = client.network().v1().networkPolicies().inNamespace("np").withName("mailroom-outbox")
                .get();
        assertThat(outbox.getSpec().getIngress()).hasSize(2);
        assertThat(outbox.getSpec().getIngress().get(1).getPorts().get(0).getPort().getIntVal()).isEqualTo(6808);
        assertThat(outbox.getSpec().getIngress().get(1).getFrom()).extracting(p -> p.getPodSelector().getMatchLabels()
                .get(MailRoomManifests.COMPONENT)).containsExactly("controller");
    }

    @Test
    void reconcilingAgainChangesNothing() {
        MailRoom mr = reconcile(create("idem"));
        Map<String, String> before = versions(all("idem"));
        reconcile(mr);
        reconcile(mr);
        assertThat(versions(all("idem"))).isEqualTo(before);
    }

    @Test
    void aSpecChangeRollsExactlyTheAffectedWorkload() {
        MailRoom mr = reconcile(create("roll"));
        Map<String, String> hashes = configHashes("roll");
        Map<String, String> before = versions(all("roll"));

        MailRoom edited = client.resource(mr).get();
        edited.getSpec().checks.dmarc = MailRoomSpec.CheckMode.tag;
        client.resource(edited).update();
        reconcile(edited);

        Map<String, String> after = configHashes("roll");
        assertThat(after.get("mailroom-inbox")).isNotEqualTo(hashes.get("mailroom-inbox"));
        after.remove("mailroom-inbox");
        hashes.remove("mailroom-inbox");
        assertThat(after).isEqualTo(hashes);
        Map<String, String> versionsAfter = versions(all("roll"));
        Map<String, String> changed = new TreeMap<>();
        versionsAfter.forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                changed.put(k, v);
            }
        });
        assertThat(changed).containsOnlyKeys("ConfigMap/mailroom-inbox", "Deployment/mailroom-inbox");
    }

    @Test
    void aNewStorageSizeLeavesTheImmutableClaimTemplatesAndStillRollsTheRest() {
        MailRoom mr = reconcile(create("resize"));
        MailRoom edited = client.resource(mr).get();
        edited.getSpec().storage.mail.size = "50Gi";
        edited.getSpec().components.dovecot = new MailRoomSpec.ComponentSpec();
        edited.getSpec().components.dovecot.image = "registry.example.com/dovecot:2.4";
        edited.getSpec().checks.dmarc = MailRoomSpec.CheckMode.tag;
        edited.getSpec().checks.arcTrustedSealers = java.util.List.of("lists.example.org", "forwarder.example.net");
        client.resource(edited).update();
        reconcile(edited);

        StatefulSet dovecot = client.apps().statefulSets().inNamespace("resize").withName("mailroom-dovecot").get();
        // a real API server refuses a StatefulSet update that changes volumeClaimTemplates
        assertThat(dovecot.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(c -> assertThat(
                c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi"));
        assertThat(dovecot.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example.com/dovecot:2.4");
        assertThat(client.configMaps().inNamespace("resize").withName("mailroom-inbox").get().getData())
                .containsEntry("MAILROOM_INBOX_DMARC", "tag")
                .containsEntry("MAILROOM_INBOX_ARC_TRUSTED_SEALERS", "lists.example.org,forwarder.example.net");
        reconcile(client.resource(edited).get());
        assertThat(client.apps().statefulSets().inNamespace("resize").withName("mailroom-dovecot").get()
                .getMetadata().getResourceVersion()).isEqualTo(dovecot.getMetadata().getResourceVersion());
    }

    @Test
    void aRenewedTlsCertificateRollsDovecotOnly() {
        Fixtures.tlsSecret(client, "renew", "mailroom-tls");
        MailRoom mr = reconcile(create("renew"));
        Map<String, String> hashes = configHashes("renew");
        reconcile(mr);
        assertThat(configHashes("renew")).isEqualTo(hashes);

        // cert-manager renews: a new tls.crt in the same Secret
        Secret tls = client.secrets().inNamespace("renew").withName("mailroom-tls").get();
        tls.getData().put("tls.crt", Fixtures.b64("-----BEGIN CERTIFICATE-----\nrenewed\n-----END CERTIFICATE-----\n"));
        client.resource(tls).update();
        reconcile(mr);
        Map<String, String> after = configHashes("renew");
        assertThat(after.get("mailroom-dovecot")).isNotEqualTo(hashes.get("mailroom-dovecot"));
        after.remove("mailroom-dovecot");
        hashes.remove("mailroom-dovecot");
        assertThat(after).isEqualTo(hashes);
    }

    @Test
    void nodePortAndSwitchingRspamdOff() {
        MailRoom mr = create("np2");
        mr.getSpec().expose.type = MailRoomSpec.ServiceKind.NodePort;
        mr.getSpec().rspamd.enabled = false;
        mr = client.resource(mr).update();
        reconcile(mr);
        assertThat(client.services().inNamespace("np2").withName("mailroom-inbox").get().getSpec().getType())
                .isEqualTo("NodePort");

        // the cluster allocated a node port; a later change of the Service keeps it
        Service inbox = client.services().inNamespace("np2").withName("mailroom-inbox").get();
        inbox.getSpec().getPorts().get(0).setNodePort(30025);
        client.resource(inbox).update();
        MailRoom edited = client.resource(mr).get();
        edited.getSpec().expose.annotations = Map.of("metallb.universe.tf/address-pool", "mail");
        client.resource(edited).update();
        reconcile(edited);
        Service after = client.services().inNamespace("np2").withName("mailroom-inbox").get();
        assertThat(after.getMetadata().getAnnotations()).containsEntry("metallb.universe.tf/address-pool", "mail");
        assertThat(after.getSpec().getPorts().get(0).getNodePort()).isEqualTo(30025);
        assertThat(client.apps().deployments().inNamespace("np2").withName("mailroom-rspamd").get()).isNull();
        assertThat(client.configMaps().inNamespace("np2").withName("mailroom-inbox").get().getData())
                .containsEntry("MAILROOM_INBOX_RSPAMD", "off").doesNotContainKey("MAILROOM_RSPAMD_HOST");
        // without Rspamd its pods are no client of Redis
        assertThat(client.network().v1().networkPolicies().inNamespace("np2").withName("mailroom-redis").get()
                .getSpec().getIngress().get(0).getFrom())
                .extracting(p -> p.getPodSelector().getMatchLabels().get(MailRoomManifests.COMPONENT))
                .doesNotContain("rspamd");
    }

    @Test
    void aBackupWithoutEncryptionKeyIsNotScheduled() {
        MailRoom mr = reconcile(create("nobackup"));
        assertThat(client.batch().v1().cronjobs().inNamespace("nobackup").withName("mailroom-backup").get()).isNotNull();
        MailRoom edited = client.resource(mr).get();
        edited.getSpec().backup.encryptionKeySecret = null;
        client.resource(edited).update();
        edited = reconcile(edited);
        assertThat(client.batch().v1().cronjobs().inNamespace("nobackup").withName("mailroom-backup").get()).isNull();
        assertThat(client.configMaps().inNamespace("nobackup").withName("mailroom-backup").get()).isNull();
        var backup = Conditions.find(edited.getStatus().conditions, MailRoomReconciler.BACKUP_SCHEDULED);
        assertThat(backup.getStatus()).isEqualTo("False");
        assertThat(backup.getReason()).isEqualTo("BackupIncomplete");
    }

    @Test
    void readinessFollowsTheWorkloads() {
        MailRoom mr = reconcile(create("ready"));
        assertThat(Conditions.isTrue(mr.getStatus().conditions, Conditions.READY)).isFalse();
        assertThat(Conditions.find(mr.getStatus().conditions, Conditions.READY).getMessage())
                .contains("inbox", "dovecot", "redis");
        assertThat(mr.getStatus().conditions).extracting(c -> c.getType()).contains("InboxAvailable",
                "OutboxAvailable", "ControllerAvailable", "DovecotAvailable", "RspamdAvailable", "RedisAvailable",
                "UnboundAvailable");

        // the cluster reports every pod ready
        for (Deployment d : client.apps().deployments().inNamespace("ready").list().getItems()) {
            d.setStatus(new DeploymentStatusBuilder().withReplicas(d.getSpec().getReplicas())
                    .withAvailableReplicas(d.getSpec().getReplicas()).withReadyReplicas(d.getSpec().getReplicas())
                    .build());
            client.resource(d).updateStatus();
        }
        for (StatefulSet s : client.apps().statefulSets().inNamespace("ready").list().getItems()) {
            s.setStatus(new StatefulSetStatusBuilder().withReplicas(s.getSpec().getReplicas())
                    .withReadyReplicas(s.getSpec().getReplicas()).build());
            client.resource(s).updateStatus();
        }
        mr = reconcile(mr);
        var ready = Conditions.find(mr.getStatus().conditions, Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("AllComponentsAvailable");
        assertThat(ready.getLastTransitionTime()).isNotBlank();

        // one pod of Redis goes away
        StatefulSet redis = client.apps().statefulSets().inNamespace("ready").withName("mailroom-redis").get();
        redis.getStatus().setReadyReplicas(0);
        client.resource(redis).updateStatus();
        mr = reconcile(mr);
        assertThat(Conditions.find(mr.getStatus().conditions, "RedisAvailable").getStatus()).isEqualTo("False");
        assertThat(Conditions.find(mr.getStatus().conditions, Conditions.READY).getMessage())
                .isEqualTo("waiting for redis");
    }

    private List<PodTemplateSpec> templates(String ns) {
        List<PodTemplateSpec> out = new ArrayList<>();
        client.apps().deployments().inNamespace(ns).list().getItems().forEach(d -> out.add(d.getSpec().getTemplate()));
        client.apps().statefulSets().inNamespace(ns).list().getItems().forEach(d -> out.add(d.getSpec().getTemplate()));
        return out;
    }

    private static List<Integer> ports(Service s) {
        return s.getSpec().getPorts().stream().map(ServicePort::getPort).toList();
    }

    private static void assertOwner(OwnerReference r, MailRoom owner) {
        assertThat(r.getKind()).isEqualTo("MailRoom");
        assertThat(r.getApiVersion()).isEqualTo("mailroom.io/v1alpha1");
        assertThat(r.getName()).isEqualTo(owner.getMetadata().getName());
        assertThat(r.getUid()).isEqualTo(owner.getMetadata().getUid()).isNotBlank();
        assertThat(r.getController()).isTrue();
    }

    static String decode(Secret s, String key) {
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
}
