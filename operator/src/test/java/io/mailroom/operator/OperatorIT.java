package io.mailroom.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailUser;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.testkit.ImapMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole operator as it runs in a cluster (Quarkus, JOSDK controllers, informers, status
 * patches, finalizers) against the mock API server, with a real Redis and Dovecot: the example
 * resources are applied as a user would and the outcome is awaited.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MailServersResource.class, restrictToAnnotatedClass = true)
class OperatorIT {
    static final String NS = "mail";

    @Inject
    KubernetesClient client;

    private static boolean login(String user, String password) {
        return ImapMailbox.canLogin(Integer.getInteger(MailServersResource.IMAP_PORT), user, password);
    }

    @Test
    void theCrdsQuarkusGeneratedAndAppliedAreTheCheckedInOnes() throws Exception {
        // quarkus-operator-sdk generated these for this very test run and applied them to the mock
        for (String f : CrdDriftTest.FILES) {
            java.nio.file.Path built = Examples.root().resolve("operator/target/kubernetes").resolve(f);
            assertThat(java.nio.file.Files.readString(built)).as(f)
                    .isEqualTo(java.nio.file.Files.readString(Examples.root().resolve("crds").resolve(f)));
        }
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("mailusers.mailroom.io").get())
                .isNotNull();
    }

    @Test
    void examplesAppliedToTheClusterBecomeAWorkingInstallation() {
        var allocator = Fixtures.clusterIpAllocator(client);
        Fixtures.tlsSecret(client, NS, "mailroom-tls");
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(Examples.load("mailroom.yaml", MailRoom.class));
        objects.add(Examples.load("maildomain.yaml", MailDomain.class));
        objects.addAll(Examples.loadAll("mailuser.yaml", Secret.class));
        objects.addAll(Examples.loadAll("mailuser.yaml", MailUser.class));
        for (HasMetadata o : objects) {
            client.resource(o).create();
        }

        await().ignoreExceptions().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(NS).withName("mailroom-inbox").get()).isNotNull();
            assertThat(client.apps().statefulSets().inNamespace(NS).withName("mailroom-dovecot").get()).isNotNull();
            MailRoom mr = client.resources(MailRoom.class).inNamespace(NS).withName("mailroom").get();
            assertThat(mr.getStatus()).isNotNull();
            assertThat(Conditions.find(mr.getStatus().conditions, Conditions.READY).getReason())
                    .isEqualTo("ComponentsNotAvailable");
        });
        await().ignoreExceptions().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            MailDomain md = client.resources(MailDomain.class).inNamespace(NS).withName("example-com").get();
            assertThat(md.getStatus()).isNotNull();
            assertThat(md.getStatus().dnsRecords).extracting(r -> r.type)
                    .containsExactly("MX", "TXT", "TXT", "TXT", "TXT", "TXT", "TXT", "TLSA");
            MailUser alice = client.resources(MailUser.class).inNamespace(NS).withName("alice").get();
            assertThat(alice.getStatus()).isNotNull();
            assertThat(Conditions.isTrue(alice.getStatus().conditions, Conditions.READY)).isTrue();
            assertThat(alice.getMetadata().getFinalizers()).isNotEmpty();
        });
        assertThat(login("alice@example.com", "change-me-to-something-long")).isTrue();

        // the DKIM Secret is mounted into the Outbox once the domain has reported it
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.apps().statefulSets()
                .inNamespace(NS).withName("mailroom-outbox").get().getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo("keys");
                    assertThat(v.getProjected().getSources()).anySatisfy(
                            s -> assertThat(s.getSecret().getName()).isEqualTo("example-com-dkim"));
                }));

        // kubectl delete mailuser alice: the finalizer removes the account, then the resource goes
        client.resources(MailUser.class).inNamespace(NS).withName("alice").delete();
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(client.resources(MailUser.class).inNamespace(NS).withName("alice").get()).isNull());
        assertThat(login("alice@example.com", "change-me-to-something-long")).isFalse();
        allocator.close();
    }
}
