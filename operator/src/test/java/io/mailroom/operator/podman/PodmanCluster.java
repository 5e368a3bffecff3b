package io.mailroom.operator.podman;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The parts of a cluster the mock API server lacks, over {@link PodmanKubelet}: the Deployment and
 * StatefulSet controllers (one pod per replica, replaced when its template changes; StatefulSet claims
 * as podman volumes named {@code <template>-<statefulset>-<ordinal>}), the scheduler (every pod on this
 * host), the kubelet's status reports (ready replicas, from the pod's own readiness probe) and the
 * Service IP allocator of kube-apiserver (cluster IPs from the test's podman network; a Service that is
 * the only one selecting a single-replica workload answers on it, every Service answers by its DNS names;
 * kube-proxy's virtual IPs for the rest are not emulated).
 */
public final class PodmanCluster implements AutoCloseable {
    private final KubernetesClient client;
    private final String ns;
    private final PodmanKubelet kubelet;
    private final String network;
    private final String subnetPrefix;
    private final Map<String, String> pinnedIps;
    private final String prefix;
    private final Map<String, Running> pods = new ConcurrentHashMap<>();
    private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor();
    private int nextIp = 10;

    /** A pod this cluster runs: its workload, the hash of the template it was made from, and whether it is ready. */
    public record Running(String workload, String templateHash, PodmanKubelet.Pod pod, boolean ready,
            Instant started, Instant readyAt) {}

    /**
     * @param subnetPrefix the first three octets of the network's /24, e.g. {@code 10.89.77}
     * @param pinnedIps    Service name to the cluster IP it must get (the test reaches Redis there)
     * @param prefix       put before container and volume names, so that nothing of a deployment on this
     *                     host (same pod names) is touched
     */
    public PodmanCluster(KubernetesClient client, String ns, PodmanKubelet kubelet, String network,
            String subnetPrefix, Map<String, String> pinnedIps, String prefix) {
        this.prefix = prefix;
        this.client = client;
        this.ns = ns;
        this.kubelet = kubelet;
        this.network = network;
        this.subnetPrefix = subnetPrefix;
        this.pinnedIps = pinnedIps;
    }

    public void start() {
        loop.scheduleWithFixedDelay(this::syncQuietly, 0, 1, TimeUnit.SECONDS);
    }

    public Map<String, Running> pods() {
        return Map.copyOf(pods);
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            events.add(Instant.now() + " sync failed: " + e);
        }
    }

    /** One pass: cluster IPs for new Services, pods for the workloads, ready counts back into their status. */
    synchronized void sync() {
        for (Service s : client.services().inNamespace(ns).list().getItems()) {
            if (s.getSpec().getClusterIP() == null || s.getSpec().getClusterIP().isBlank()) {
                String name = s.getMetadata().getName();
                String ip = pinnedIps.containsKey(name) ? pinnedIps.get(name) : subnetPrefix + "." + nextIp++;
                client.services().inNamespace(ns).withName(name).edit(x -> {
                    x.getSpec().setClusterIP(ip);
                    return x;
                });
            }
        }
        List<Service> services = client.services().inNamespace(ns).list().getItems();
        for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
            int ready = syncPods(d.getMetadata().getName(), d.getSpec().getReplicas(), d.getSpec().getTemplate(),
                    List.of(), services);
            Integer reported = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
            if (reported == null || reported != ready) {
                d.setStatus(new DeploymentStatusBuilder().withReplicas(d.getSpec().getReplicas())
                        .withReadyReplicas(ready).withAvailableReplicas(ready).build());
                client.resource(d).updateStatus();
            }
        }
        for (StatefulSet s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
            List<String> claims = s.getSpec().getVolumeClaimTemplates().stream()
                    .map(c -> c.getMetadata().getName()).toList();
            int ready = syncPods(s.getMetadata().getName(), s.getSpec().getReplicas(), s.getSpec().getTemplate(),
                    claims, services);
            Integer reported = s.getStatus() == null ? null : s.getStatus().getReadyReplicas();
            if (reported == null || reported != ready) {
                s.setStatus(new StatefulSetStatusBuilder().withReplicas(s.getSpec().getReplicas())
                        .withReadyReplicas(ready).build());
                client.resource(s).updateStatus();
            }
        }
    }

    private int syncPods(String workload, Integer replicas, PodTemplateSpec template, List<String> claimTemplates,
            List<Service> services) {
        int want = replicas == null ? 1 : replicas;
        String hash = io.mailroom.operator.kube.ResourceApplier.hash(template);
        int ready = 0;
        for (int i = 0; i < want; i++) {
            String name = workload + "-" + i;
            Running r = pods.get(name);
            if (r == null || !r.templateHash().equals(hash)) {
                if (r == null || r.pod() != null || r.started().isBefore(Instant.now().minusSeconds(300))) {
                    schedule(workload, name, hash, template, claimTemplates, services, want);
                }
                continue;
            }
            if (r.ready()) {
                ready++;
            }
        }
        return ready;
    }

    private void schedule(String workload, String name, String hash, PodTemplateSpec template,
            List<String> claimTemplates, List<Service> services, int replicas) {
        pods.put(name, new Running(workload, hash, null, false, Instant.now(), null));
        Map<String, String> labels = template.getMetadata().getLabels();
        List<String> aliases = new ArrayList<>();
        Optional<String> ip = Optional.empty();
        List<Service> selecting = services.stream().filter(s -> PodmanKubelet.selects(s, labels)).toList();
        for (Service s : selecting) {
            String n = s.getMetadata().getName();
            aliases.addAll(PodmanKubelet.serviceNames(n, ns));
        }
        if (replicas == 1 && selecting.size() == 1) {
            ip = Optional.ofNullable(selecting.get(0).getSpec().getClusterIP()).filter(a -> a.startsWith(subnetPrefix + "."));
        }
        Map<String, String> claims = new LinkedHashMap<>();
        String ordinal = name.substring(workload.length() + 1);
        for (String t : claimTemplates) {
            claims.put(t, volume(t + "-" + workload + "-" + ordinal));
        }
        PodmanKubelet.Attachment attachment = new PodmanKubelet.Attachment(network, ip, aliases, List.of());
        PodSpec spec = template.getSpec();
        starters.submit(() -> {
            Instant started = Instant.now();
            try {
                PodmanKubelet.Pod pod = kubelet.start(prefix + name, spec, claims, attachment, objects(), "no");
                pods.put(name, new Running(workload, hash, pod, false, started, null));
                events.add(started + " started " + name + " (" + pod.ip() + ")");
                boolean ready = kubelet.awaitReady(pod, Duration.ofMinutes(4));
                if (ready && hash.equals(pods.get(name).templateHash())) {
                    pods.put(name, new Running(workload, hash, pod, true, started, Instant.now()));
                    events.add(Instant.now() + " ready " + name + " after "
                            + Duration.between(started, Instant.now()).toMillis() + " ms");
                } else {
                    events.add(Instant.now() + " NOT ready " + name);
                }
            } catch (RuntimeException e) {
                events.add(Instant.now() + " " + name + " failed to start: " + e.getMessage());
            }
        });
    }

    /** The podman volume standing for the PVC {@code claim}. */
    public String volume(String claim) {
        return prefix + claim;
    }

    /** Every podman volume this cluster made. */
    public List<String> volumes() {
        return kubelet.podman().check("volume", "ls", "-q").lines().filter(v -> v.startsWith(prefix)).toList();
    }

    /** ConfigMaps and Secrets from the API server, as the kubelet reads them. */
    public PodmanKubelet.ObjectSource objects() {
        return new PodmanKubelet.ObjectSource() {
            @Override
            public Optional<ConfigMap> configMap(String name) {
                return Optional.ofNullable(client.configMaps().inNamespace(ns).withName(name).get());
            }

            @Override
            public Optional<Secret> secret(String name) {
                return Optional.ofNullable(client.secrets().inNamespace(ns).withName(name).get());
            }
        };
    }

    /** Every pod's container log, for a failure message. */
    public String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : new java.util.TreeSet<>(pods.keySet())) {
            b.append("\n===== pod ").append(name).append(" =====\n").append(kubelet.logs(prefix + name)).append('\n');
        }
        b.append("\n===== cluster events =====\n");
        events().forEach(e -> b.append(e).append('\n'));
        return b.toString();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        starters.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String name : pods.keySet()) {
            kubelet.remove(prefix + name);
        }
    }
}
