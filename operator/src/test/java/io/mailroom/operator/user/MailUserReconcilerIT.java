package io.mailroom.operator.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.operator.Examples;
import io.mailroom.operator.Fixtures;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailUser;
import io.mailroom.operator.api.MailUserSpec;
import io.mailroom.operator.api.MailUserStatus;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.domain.MailDomainReconciler;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.store.InstallationStores;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MailUser against the mock API server, with the account store in a real Redis and a real
 * Dovecot authenticating from it: what the operator writes is what a mail client logs in with.
 */
@EnableKubernetesMockClient(crud = true)
class MailUserReconcilerIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    static KubernetesClient client;
    static InstallationStores stores;
    static RedisConnections connections;
    static AccountStore store;
    static MailUserReconciler reconciler;
    static final String NS = "mail";

    @BeforeAll
    static void setUp() {
        OperatorSettings settings = OperatorSettings.defaults().withRedisUriOverride(mail.redis().uri())
                .withMailRoot(mail.dovecot().mailRoot()).withBcryptCost(4);
        stores = new InstallationStores(settings);
        connections = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(connections.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
        Fixtures.mailRoom(client, NS, settings);
        Fixtures.tlsSecret(client, NS, "mailroom-tls");
        new MailDomainReconciler(client, stores).apply(Fixtures.mailDomain(client, NS));
        reconciler = new MailUserReconciler(client, stores, settings);
        List<HasMetadata> objects = new java.util.ArrayList<>(Examples.loadAll("mailuser.yaml", Secret.class));
        objects.addAll(Examples.loadAll("mailuser.yaml", MailUser.class));
        for (HasMetadata o : objects) {
            o.getMetadata().setNamespace(NS);
            client.resource(o).create();
        }
    }

    @AfterAll
    static void tearDown() {
        stores.close();
        connections.close();
    }

    private static MailUser user(String name) {
        return client.resources(MailUser.class).inNamespace(NS).withName(name).get();
    }

    private static boolean login(String address, String password) {
        return ImapMailbox.canLogin(mail.dovecot().imapPort(), address, password);
    }

    @Test
    void passwordFromTheReferencedSecretLogsInToDovecotAndDeletionRemovesTheAccount() {
        String password = "change-me-to-something-long";
        MailUserStatus status = reconciler.apply(user("alice"));
        assertThat(Conditions.find(status.conditions, Conditions.READY).getStatus()).isEqualTo("True");
        assertThat(status.address).isEqualTo("alice@example.com");
        assertThat(status.credentialsSecret).isEqualTo("alice-password");
        assertThat(status.aliases).containsExactly("info@example.com", "sales@example.com");
        assertThat(Serialization.asJson(status)).doesNotContain(password);

        assertThat(login("alice@example.com", password)).isTrue();
        assertThat(login("alice@example.com", "not-the-password")).isFalse();
        assertThat(store.requireUser("alice@example.com").quotaRule()).isEqualTo("*:storage=2G");
        assertThat(store.resolveRecipient("sales@example.com").orElseThrow().mailbox().toString())
                .isEqualTo("alice@example.com");

        // a second reconcile rewrites nothing: the stored hash stays
        String hash = store.requireUser("alice@example.com").record().password();
        reconciler.apply(user("alice"));
        assertThat(store.requireUser("alice@example.com").record().password()).isEqualTo(hash);

        // the password changes in the Secret, then in Dovecot
        Secret secret = client.secrets().inNamespace(NS).withName("alice-password").get();
        client.resource(new SecretBuilder(secret).withStringData(null)
                .withData(Map.of("password", Fixtures.b64("a-brand-new-password"))).build()).update();
        reconciler.apply(user("alice"));
        assertThat(login("alice@example.com", password)).isFalse();
        assertThat(login("alice@example.com", "a-brand-new-password")).isTrue();

        // aliases follow the spec; disabling locks the account
        MailUser edited = user("alice");
        edited.getSpec().aliases = List.of("info@example.com");
        edited.getSpec().disabled = true;
        edited = client.resource(edited).update();
        status = reconciler.apply(edited);
        assertThat(status.aliases).containsExactly("info@example.com");
        assertThat(store.alias("sales@example.com")).isEmpty();
        assertThat(login("alice@example.com", "a-brand-new-password")).isFalse();

        // the finalizer's clean-up deletes the account and its aliases
        reconciler.cleanup(edited, null);
        assertThat(store.user("alice@example.com")).isEmpty();
        assertThat(store.alias("info@example.com")).isEmpty();
        assertThat(login("alice@example.com", "a-brand-new-password")).isFalse();
    }

    @Test
    void withoutASecretReferenceAPasswordIsGeneratedIntoTheCredentialsSecret() {
        MailUser bob = user("bob");
        MailUserStatus status = reconciler.apply(bob);
        assertThat(Conditions.find(status.conditions, Conditions.READY).getStatus()).isEqualTo("True");
        assertThat(status.credentialsSecret).isEqualTo("bob-credentials");
        Secret credentials = client.secrets().inNamespace(NS).withName("bob-credentials").get();
        String password = Fixtures.decode(credentials, "password");
        assertThat(password).hasSize(20);
        assertThat(Fixtures.decode(credentials, "username")).isEqualTo("bob@example.com");
        assertThat(credentials.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("MailUser"));
        assertThat(Serialization.asJson(status)).doesNotContain(password);
        assertThat(login("bob@example.com", password)).isTrue();

        // kept across reconciles: same Secret, same password
        reconciler.apply(user("bob"));
        Secret again = client.secrets().inNamespace(NS).withName("bob-credentials").get();
        assertThat(again.getMetadata().getResourceVersion()).isEqualTo(credentials.getMetadata().getResourceVersion());
        assertThat(login("bob@example.com", password)).isTrue();
        assertThat(store.requireUser("bob@example.com").quotaRule()).isEqualTo("*:storage=500M");
    }

    @Test
    void aMissingPasswordSecretCreatesNoAccount() {
        MailUser carol = new MailUser();
        carol.getMetadata().setName("carol");
        carol.getMetadata().setNamespace(NS);
        carol.setSpec(new MailUserSpec());
        carol.getSpec().address = "carol@example.com";
        carol.getSpec().passwordSecretRef = new MailUserSpec.SecretKeyRef();
        carol.getSpec().passwordSecretRef.name = "nowhere";
        carol = client.resource(carol).create();
        MailUserStatus status = reconciler.apply(carol);
        var ready = Conditions.find(status.conditions, Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("PasswordUnavailable");
        assertThat(ready.getMessage()).isEqualTo("Secret nowhere not found");
        assertThat(store.user("carol@example.com")).isEmpty();
    }

    @Test
    void anAddressOutsideEveryMailDomainWaits() {
        MailUser dan = new MailUser();
        dan.getMetadata().setName("dan");
        dan.getMetadata().setNamespace(NS);
        dan.setSpec(new MailUserSpec());
        dan.getSpec().address = "dan@elsewhere.test";
        dan = client.resource(dan).create();
        MailUserStatus status = reconciler.apply(dan);
        assertThat(Conditions.find(status.conditions, Conditions.READY).getReason()).isEqualTo("MailRoomNotFound");
        assertThat(client.secrets().inNamespace(NS).withName("dan-credentials").get()).isNull();
    }

    @Test
    void deletingTheMailUserAfterItsMailDomainStillDeletesTheAccount() {
        String ns = "domain-first";
        OperatorSettings settings = OperatorSettings.defaults().withRedisUriOverride(mail.redis().uri())
                .withMailRoot(mail.dovecot().mailRoot()).withBcryptCost(4);
        Fixtures.mailRoom(client, ns, settings);
        Fixtures.tlsSecret(client, ns, "mailroom-tls");
        MailDomain domain = Fixtures.mailDomain(client, ns);
        new MailDomainReconciler(client, stores).apply(domain);
        MailUser erin = new MailUser();
        erin.getMetadata().setName("erin");
        erin.getMetadata().setNamespace(ns);
        erin.setSpec(new MailUserSpec());
        erin.getSpec().address = "erin@example.com";
        erin = client.resource(erin).create();
        MailUserStatus status = reconciler.apply(erin);
        assertThat(Conditions.find(status.conditions, Conditions.READY).getStatus()).isEqualTo("True");
        assertThat(status.mailRoom).isEqualTo("mailroom");
        erin.setStatus(status); // as the reconcile patches it
        assertThat(store.user("erin@example.com")).isPresent();

        client.resource(domain).delete();
        assertThat(client.resources(MailDomain.class).inNamespace(ns).list().getItems()).isEmpty();
        reconciler.cleanup(erin, null);
        assertThat(store.user("erin@example.com")).isEmpty();
    }
}
