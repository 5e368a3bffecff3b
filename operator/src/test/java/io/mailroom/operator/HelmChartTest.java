package io.mailroom.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.mailroom.MailRoomManifests;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Helm chart with helm-java: lint, template, and the rendered objects read back as Kubernetes objects. */
class HelmChartTest {
    static final Path CHART = Examples.root().resolve("helm/mailroom-operator");
    static KubernetesClient client;

    @BeforeAll
    static void setUp() {
        // only used to parse manifests (load), never connects
        client = new KubernetesClientBuilder().build();
    }

    @AfterAll
    static void tearDown() {
        client.close();
    }

    private static List<HasMetadata> parse(String yaml) {
        return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }

    private static String render(Object... sets) {
        var template = new Helm(CHART).template().withName("mailroom-operator").withNamespace("mailroom-system");
        for (int i = 0; i < sets.length; i += 2) {
            template = template.set((String) sets[i], sets[i + 1]);
        }
        return template.call();
    }

    @Test
    void chartPassesHelmLint() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderTheOperatorWithExactlyTheNeededPermissions() {
        List<HasMetadata> objects = parse(render());
        assertThat(objects).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment");

        Deployment d = find(objects, Deployment.class);
        assertThat(d.getMetadata().getNamespace()).isEqualTo("mailroom-system");
        // the label the installations' Redis NetworkPolicy admits
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(MailRoomManifests.APP, MailRoomManifests.OPERATOR_NAME);
        var pod = d.getSpec().getTemplate().getSpec();
        var c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("ghcr.io/mailroom/operator:0.1.0");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });

        ServiceAccount sa = find(objects, ServiceAccount.class);
        assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
        ClusterRoleBinding binding = find(objects, ClusterRoleBinding.class);
        ClusterRole role = find(objects, ClusterRole.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo("mailroom-system");
        });
        for (PolicyRule r : role.getRules()) {
            assertThat(r.getVerbs()).doesNotContain("*");
            assertThat(r.getResources()).doesNotContain("*");
        }
        assertThat(verbs(role, "", "secrets")).containsExactlyInAnyOrder("get", "create", "update");
        assertThat(verbs(role, "mailroom.io", "mailusers")).contains("watch", "patch");
        assertThat(verbs(role, "mailroom.io", "mailusers/status")).contains("patch");
        assertThat(verbs(role, "mailroom.io", "mailusers/finalizers")).containsExactly("update");
        assertThat(verbs(role, "apps", "statefulsets")).containsExactlyInAnyOrder("get", "list", "watch", "create",
                "update");
        assertThat(verbs(role, "apps", "deployments")).contains("watch", "create", "update", "delete");
        assertThat(verbs(role, "networking.k8s.io", "networkpolicies")).contains("create", "update", "delete");
        assertThat(verbs(role, "batch", "cronjobs")).containsExactlyInAnyOrder("get", "create", "update", "delete");
        assertThat(verbs(role, "", "pods")).isEmpty();
    }

    @Test
    void withoutItsOwnServiceAccountTheChartNeedsANamedOne() {
        // binding the ClusterRole to the namespace's "default" account would hand it to every pod there
        assertThatThrownBy(() -> render("serviceAccount.create", "false"))
                .hasMessageContaining("serviceAccount.name must name an existing ServiceAccount");
        List<HasMetadata> objects = parse(render("serviceAccount.create", "false", "serviceAccount.name", "mail-ops"));
        assertThat(objects).extracting(HasMetadata::getKind).doesNotContain("ServiceAccount");
        assertThat(find(objects, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("mail-ops");
        assertThat(find(objects, ClusterRoleBinding.class).getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("mail-ops"));
    }

    @Test
    void aMailRoomFromValuesRendersAsAValidMailRoom() {
        List<HasMetadata> objects = parse(render("mailRoom.enabled", "true",
                "mailRoom.spec.hostnames.mx", "mx.example.org", "mailRoom.spec.checks.dmarc", "enforce"));
        HasMetadata generic = objects.stream().filter(o -> o.getKind().equals("MailRoom")).findFirst().orElseThrow();
        MailRoom mr = Serialization.unmarshal(Serialization.asYaml(generic), MailRoom.class);
        assertThat(mr.getMetadata().getNamespace()).isEqualTo("mailroom-system");
        assertThat(mr.getSpec().hostnames.mx).isEqualTo("mx.example.org");
        assertThat(mr.getSpec().hostnames.submission).isEqualTo("mail.example.com");
        assertThat(mr.getSpec().tls.secretName).isEqualTo("mailroom-tls");
        assertThat(mr.getSpec().checks.dmarc.name()).isEqualTo("enforce");
    }

    @Test
    void plainManifestsMatchTheChart() throws Exception {
        Path manifest = Examples.root().resolve("k8s/operator.yaml");
        String rendered = render();
        if (Boolean.getBoolean("mailroom.manifests.update")) {
            Files.writeString(manifest, "# The Mail Room operator without Helm: kubectl apply -f k8s/crds/ -f k8s/operator.yaml\n"
                    + "# Generated from helm/mailroom-operator (helm template mailroom-operator -n mailroom-system).\n"
                    + "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mailroom-system\n" + rendered);
        }
        List<HasMetadata> plain = parse(Files.readString(manifest));
        assertThat(plain.get(0)).isInstanceOf(Namespace.class);
        assertThat(plain.subList(1, plain.size())).as("k8s/operator.yaml differs from the chart;"
                + " run the tests with -Dmailroom.manifests.update=true").isEqualTo(parse(rendered));
    }

    private static List<String> verbs(ClusterRole role, String group, String resource) {
        return role.getRules().stream().filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
                .flatMap(r -> r.getVerbs().stream()).toList();
    }

    private static <T> T find(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }
}
