package io.mailroom.operator.podman;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.mailroom.operator.CrdDriftTest;
import io.mailroom.operator.Examples;
import io.mailroom.operator.ReleaseVersionTest;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator image, started as the Helm chart's Deployment says (rendered by {@code helm template}, its
 * securityContext, env, probes and volumes), against a mock API server that the container reaches over
 * the test's podman network. The kubelet's part: {@code KUBERNETES_MASTER} names the API server (plain
 * HTTP here, so no service-account CA is mounted) in place of the in-cluster service variables.
 */
class OperatorImageIT {
    static Podman podman = PodmanNetworkResource.podman();
    static String network = "mailroom-operator-image-" + ProcessHandle.current().pid();
    static KubernetesMockServer api;
    static KubernetesClient client;
    static String gateway;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        podman.exec("network", "rm", "-f", network);
        String prefix = PodmanNetworkResource.freePrefix(podman);
        podman.check("network", "create", "--internal", "--subnet", prefix + ".0/24", network);
        gateway = prefix + ".1";
        // netavark puts the gateway address on the host only once a container is on the network
        podman.check("run", "-d", "--name", network + "-holder", "--network", network, "--entrypoint",
                "[\"sleep\",\"600\"]", "ghcr.io/mailroom/operator:" + ReleaseVersionTest.pomVersion());
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getByName(gateway), 0);
        client = api.createClient();
        for (String f : CrdDriftTest.FILES) {
            client.load(Files.newInputStream(Examples.root().resolve("crds").resolve(f))).createOrReplace();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("mailroom-system")
                .endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        podman.exec("rm", "-f", "-t", "5", network + "-operator");
        podman.exec("rm", "-f", "-t", "0", network + "-holder");
        podman.exec("network", "rm", "-f", network);
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    @Test
    void theChartsDeploymentRunsTheOperatorImageWhichBecomesReady() throws Exception {
        String yaml = new Helm(Examples.root().resolve("helm/mailroom-operator")).template()
                .withName("mailroom-operator").withNamespace("mailroom-system").call();
        Deployment d = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items().stream()
                .filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        var spec = d.getSpec().getTemplate().getSpec();
        assertThat(spec.getContainers().get(0).getImage())
                .isEqualTo("ghcr.io/mailroom/operator:" + ReleaseVersionTest.pomVersion());

        PodmanKubelet kubelet = new PodmanKubelet(podman, work, Map.of());
        String name = network + "-operator";
        PodmanKubelet.Pod pod = kubelet.start(name, spec, Map.of(), new PodmanKubelet.Attachment(network,
                Optional.empty(), List.of(), List.of(), "mailroom-system",
                Map.of("KUBERNETES_MASTER", "http://" + gateway + ":" + api.getPort())), objects(), "no");
        boolean ready = kubelet.awaitReady(pod, Duration.ofMinutes(3));
        String logs = kubelet.logs(name);
        assertThat(ready).as("readiness of the operator pod; its log:\n%s", logs).isTrue();
        assertThat(kubelet.probe(pod, spec.getContainers().get(0).getLivenessProbe())).as(logs).isTrue();
        // it runs as the chart says: uid 10001, read-only root, no capabilities
        assertThat(podman.check("exec", name, "id", "-u")).isEqualTo("10001");
        assertThat(podman.exec("exec", name, "touch", "/opt/x").ok()).as("root file system is read-only").isFalse();
        assertThat(podman.check("exec", name, "sh", "-c", "grep CapEff /proc/1/status"))
                .contains("0000000000000000");
        assertThat(logs).doesNotContain("Exception").contains("Installed features");
    }

    private static PodmanKubelet.ObjectSource objects() {
        return new PodmanKubelet.ObjectSource() {
            @Override
            public Optional<io.fabric8.kubernetes.api.model.ConfigMap> configMap(String n) {
                return Optional.empty();
            }

            @Override
            public Optional<io.fabric8.kubernetes.api.model.Secret> secret(String n) {
                return Optional.empty();
            }
        };
    }
}
