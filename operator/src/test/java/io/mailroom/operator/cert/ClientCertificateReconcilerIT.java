package io.mailroom.operator.cert;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.mailroom.operator.api.ClientCertificate;
import io.mailroom.operator.api.ClientCertificateStatus;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.crypto.Pem;
import io.mailroom.operator.domain.MailDomainReconciler;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.store.InstallationStores;
import io.mailroom.testkit.RedisExtension;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ClientCertificate against the mock API server: certificates chain to the MailRoom's CA Secret. */
@EnableKubernetesMockClient(crud = true)
class ClientCertificateReconcilerIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    static KubernetesClient client;
    static InstallationStores stores;
    static RedisConnections connections;
    static AccountStore store;
    static final String NS = "certs";

    @BeforeAll
    static void setUp() {
        OperatorSettings settings = OperatorSettings.defaults().withRedisUriOverride(redis.uri()).withBcryptCost(4);
        stores = new InstallationStores(settings);
        connections = RedisConnections.open(redis.uri());
        store = new AccountStore(connections.dataSource(), new StoreSettings(Path.of("/var/mail"), '+', 4));
        Fixtures.mailRoom(client, NS, settings);
        new MailDomainReconciler(client, stores).apply(Fixtures.mailDomain(client, NS));
        store.createUser("alice@example.com", "correct horse battery");
    }

    @AfterAll
    static void tearDown() {
        stores.close();
        connections.close();
    }

    @Test
    void theSecretHoldsACertificateThatChainsToTheCaSecret() throws Exception {
        ClientCertificate cc = Examples.load("clientcertificate.yaml", ClientCertificate.class);
        cc.getMetadata().setNamespace(NS);
        cc = client.resource(cc).create();
        ClientCertificateReconciler reconciler = new ClientCertificateReconciler(client, stores);
        ClientCertificateStatus status = reconciler.apply(cc);
        assertThat(Conditions.find(status.conditions, Conditions.READY).getStatus()).isEqualTo("True");

        Secret secret = client.secrets().inNamespace(NS).withName("alice-certificate").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "keystore.p12",
                "keystore-password");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("ClientCertificate"));
        Secret caSecret = client.secrets().inNamespace(NS).withName("mailroom-ca").get();
        X509Certificate ca = Pem.readCertificate(Fixtures.decode(caSecret, "ca.crt"));
        X509Certificate cert = Pem.readCertificate(Fixtures.decode(secret, "tls.crt"));

        // PKIX path validation with the CA Secret's certificate as the only trust anchor
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
        // and OpenSSL agrees, for client authentication
        Path dir = Files.createTempDirectory("certs");
        Files.writeString(dir.resolve("ca.crt"), Fixtures.decode(caSecret, "ca.crt"));
        Files.writeString(dir.resolve("user.crt"), Fixtures.decode(secret, "tls.crt"));
        assertThat(Fixtures.sh("openssl verify -purpose sslclient -CAfile " + dir.resolve("ca.crt") + " "
                + dir.resolve("user.crt"))).endsWith(": OK");
        assertThat(Fixtures.sh("openssl verify -purpose smimesign -CAfile " + dir.resolve("ca.crt") + " "
                + dir.resolve("user.crt"))).endsWith(": OK");

        assertThat(cert.getSubjectAlternativeNames()).anySatisfy(n -> assertThat(n.get(1)).isEqualTo("alice@example.com"));
        long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
        assertThat(days).isBetween(364L, 366L);

        // the key belongs to the certificate
        PrivateKey key = Pem.readPrivateKey(Fixtures.decode(secret, "tls.key"));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(cert.getPublicKey());
        s.update(new byte[] {1, 2, 3});
        assertThat(s.verify(sig)).isTrue();

        // the PKCS#12 bundle opens with its password and holds the same certificate, then the CA
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        char[] password = Fixtures.decode(secret, "keystore-password").toCharArray();
        p12.load(new ByteArrayInputStream(Base64.getDecoder().decode(secret.getData().get("keystore.p12"))), password);
        String alias = p12.aliases().nextElement();
        assertThat(p12.getCertificate(alias)).isEqualTo(cert);
        assertThat(p12.getCertificateChain(alias)).containsExactly(cert, ca);
        assertThat(p12.getKey(alias, password)).isNotNull();

        // status: public facts only; the store has the public certificate for S/MIME
        assertThat(status.serialNumber).isEqualTo(cert.getSerialNumber().toString(16));
        assertThat(status.notAfter).isEqualTo(cert.getNotAfter().toInstant().toString());
        String json = Serialization.asJson(status);
        assertThat(json).doesNotContain(secret.getData().get("tls.key")).doesNotContain(new String(password));
        assertThat(store.certificate("alice@example.com")).contains(Fixtures.decode(secret, "tls.crt"));

        // reconciling again keeps the certificate
        ClientCertificate stored = client.resource(cc).get();
        stored.setStatus(status);
        ClientCertificateStatus again = reconciler.apply(stored);
        assertThat(again.serialNumber).isEqualTo(status.serialNumber);
        assertThat(client.secrets().inNamespace(NS).withName("alice-certificate").get().getMetadata()
                .getResourceVersion()).isEqualTo(secret.getMetadata().getResourceVersion());
    }

    @Test
    void aSecretThatIsNotOursIsNeverOverwritten() {
        client.resource(new SecretBuilder().withNewMetadata().withName("precious").withNamespace(NS).endMetadata()
                .withData(Map.of("tls.crt", Fixtures.b64("not ours"))).build()).create();
        ClientCertificate cc = Examples.load("clientcertificate.yaml", ClientCertificate.class);
        cc.getMetadata().setNamespace(NS);
        cc.getMetadata().setName("clash");
        cc.getSpec().secretName = "precious";
        cc = client.resource(cc).create();
        ClientCertificateStatus status = new ClientCertificateReconciler(client, stores).apply(cc);
        assertThat(Conditions.find(status.conditions, Conditions.READY).getReason()).isEqualTo("SecretConflict");
        assertThat(Fixtures.decode(client.secrets().inNamespace(NS).withName("precious").get(), "tls.crt"))
                .isEqualTo("not ours");
    }
}
