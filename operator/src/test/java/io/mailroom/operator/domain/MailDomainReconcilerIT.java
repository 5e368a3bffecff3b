package io.mailroom.operator.domain;

import static io.mailroom.operator.Fixtures.decode;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.operator.Fixtures;
import io.mailroom.operator.api.DnsRecord;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailDomainStatus;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.crypto.Pem;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.store.InstallationStores;
import io.mailroom.testkit.RedisExtension;
import io.mailroom.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MailDomain against the mock API server and a real Redis holding the installation's account store. */
@EnableKubernetesMockClient(crud = true)
class MailDomainReconcilerIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    static KubernetesClient client;
    static OperatorSettings settings;
    static RedisConnections connections;
    static AccountStore store;

    @BeforeAll
    static void setUp() {
        settings = OperatorSettings.defaults().withRedisUriOverride(redis.uri()).withBcryptCost(4);
        connections = RedisConnections.open(redis.uri());
        store = new AccountStore(connections.dataSource(), new StoreSettings(Path.of("/var/mail"), '+', 4));
    }

    @AfterAll
    static void tearDown() {
        connections.close();
    }

    @Test
    void dkimKeysSurviveAnOperatorRestartAndEveryDnsRecordIsPublished() throws Exception {
        String ns = "dom";
        Fixtures.mailRoom(client, ns, settings);
        TestCertificates.PemFiles tls = Fixtures.tlsSecret(client, ns, "mailroom-tls");
        MailDomain md = Fixtures.mailDomain(client, ns);

        MailDomainStatus status;
        try (InstallationStores stores = new InstallationStores(settings)) {
            status = new MailDomainReconciler(client, stores).apply(md);
        }
        assertThat(Conditions.find(status.conditions, Conditions.READY).getStatus()).isEqualTo("True");
        assertThat(status.dkimSecret).isEqualTo("example-com-dkim");
        Secret dkim = client.secrets().inNamespace(ns).withName("example-com-dkim").get();
        assertThat(dkim.getData()).containsOnlyKeys("mail.key", "mail-ed25519.key");
        assertThat(dkim.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("MailDomain"));

        // every record, in zone-file form
        assertThat(status.dnsRecords).extracting(r -> r.name + " " + r.type).containsExactly(
                "example.com. MX", "example.com. TXT", "mail._domainkey.example.com. TXT",
                "mail-ed25519._domainkey.example.com. TXT", "_dmarc.example.com. TXT", "_mta-sts.example.com. TXT",
                "_smtp._tls.example.com. TXT", "_25._tcp.mx.example.com. TLSA");
        assertThat(status.dnsRecords).allSatisfy(r -> {
            assertThat(r.ttl).isEqualTo(3600L);
            assertThat(r.purpose).isNotBlank();
        });
        Map<String, DnsRecord> byName = new java.util.HashMap<>();
        status.dnsRecords.forEach(r -> byName.put(r.name + " " + r.type, r));
        assertThat(byName.get("example.com. MX").value).isEqualTo("10 mx.example.com.");
        assertThat(byName.get("example.com. TXT").value).isEqualTo("v=spf1 mx -all");
        assertThat(byName.get("_dmarc.example.com. TXT").value)
                .isEqualTo("v=DMARC1; p=quarantine; rua=mailto:postmaster@example.com");
        assertThat(byName.get("_mta-sts.example.com. TXT").value).matches("v=STSv1; id=[0-9a-f]{20}");
        assertThat(byName.get("_smtp._tls.example.com. TXT").value)
                .isEqualTo("v=TLSRPTv1; rua=mailto:postmaster@example.com");
        assertThat(status.mtaStsPolicy).contains("mode: enforce").contains("mx: mx.example.com");
        // TLSA 3 1 1: SHA-256 of the certificate's public key, as openssl computes it
        String spki = Fixtures.sh("openssl x509 -in " + tls.certificate() + " -noout -pubkey"
                + " | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1");
        assertThat(byName.get("_25._tcp.mx.example.com. TLSA").value).isEqualTo("3 1 1 " + spki);

        // the DKIM records publish the public halves of the keys in the Secret
        String rsaRecord = byName.get("mail._domainkey.example.com. TXT").value;
        assertThat(rsaRecord).startsWith("v=DKIM1; k=rsa; p=");
        // longer than one TXT string: the zone-file form splits it into quoted strings of <= 255 bytes
        String rsaData = byName.get("mail._domainkey.example.com. TXT").data;
        assertThat(rsaData).startsWith("\"v=DKIM1; k=rsa; p=").contains("\" \"");
        assertThat(rsaData.replace("\" \"", "").replace("\"", "")).isEqualTo(rsaRecord);
        assertSignatureVerifies(Pem.readPrivateKey(decode(dkim, "mail.key")), rsaRecord);
        String edRecord = byName.get("mail-ed25519._domainkey.example.com. TXT").value;
        assertThat(edRecord).startsWith("v=DKIM1; k=ed25519; p=");
        assertSignatureVerifies(Pem.readPrivateKey(decode(dkim, "mail-ed25519.key")), edRecord);

        // the domain is in the installation's store, with both selectors and the policy
        DomainRecord record = store.requireDomain("example.com");
        assertThat(record.dmarcPolicy()).isEqualTo("quarantine");
        assertThat(record.dkim()).extracting(k -> k.selector() + " " + k.algorithm())
                .containsExactly("mail rsa-sha256", "mail-ed25519 ed25519-sha256");
        assertThat(rsaRecord).endsWith("p=" + record.dkim().get(0).publicKey());

        // no private key in the status
        String json = Serialization.asJson(status);
        assertThat(json).doesNotContain(dkim.getData().get("mail.key")).doesNotContain("PRIVATE KEY");

        // operator restart: new reconciler, new connections; the keys stay as they were
        MailDomain stored = client.resource(md).get();
        stored.setStatus(status);
        MailDomainStatus again;
        try (InstallationStores stores = new InstallationStores(settings)) {
            again = new MailDomainReconciler(client, stores).apply(stored);
        }
        Secret after = client.secrets().inNamespace(ns).withName("example-com-dkim").get();
        assertThat(after.getData()).isEqualTo(dkim.getData());
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(dkim.getMetadata().getResourceVersion());
        assertThat(again.dnsRecords).isEqualTo(status.dnsRecords);
        assertThat(store.requireDomain("example.com")).isEqualTo(record);
    }

    @Test
    void withoutTheTlsCertificateTheTlsaRecordIsReportedMissing() {
        String ns = "notls";
        Fixtures.mailRoom(client, ns, settings);
        MailDomain md = Fixtures.mailDomain(client, ns);
        md.getSpec().domain = "notls.example.com";
        md.getSpec().dkim = null;
        md = client.resource(md).update();
        MailDomainStatus status;
        try (InstallationStores stores = new InstallationStores(settings)) {
            status = new MailDomainReconciler(client, stores).apply(md);
        }
        assertThat(status.dnsRecords).extracting(r -> r.type).containsExactly("MX", "TXT", "TXT", "TXT", "TXT",
                "TXT", "TXT");
        assertThat(status.dnsRecords).extracting(r -> r.name).contains("mail._domainkey.notls.example.com.",
                "mail-ed25519._domainkey.notls.example.com.").doesNotContain("_25._tcp.mx.example.com.");
        var ready = Conditions.find(status.conditions, Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("TlsCertificateMissing");
        assertThat(store.domain("notls.example.com")).isPresent();
    }

    @Test
    void deletingTheMailDomainRemovesTheDomainOnceItsAccountsAreGone() {
        String ns = "del";
        Fixtures.mailRoom(client, ns, settings);
        MailDomain md = Fixtures.mailDomain(client, ns);
        md.getSpec().domain = "del.example.com";
        md = client.resource(md).update();
        try (InstallationStores stores = new InstallationStores(settings)) {
            MailDomainReconciler reconciler = new MailDomainReconciler(client, stores);
            reconciler.apply(md);
            store.createUser("someone@del.example.com", "correct horse battery");
            // an account still lives in the domain: the finalizer stays
            assertThat(reconciler.cleanup(md, null).isRemoveFinalizer()).isFalse();
            assertThat(store.domain("del.example.com")).isPresent();
            store.deleteUser("someone@del.example.com");
            assertThat(reconciler.cleanup(md, null).isRemoveFinalizer()).isTrue();
            assertThat(store.domain("del.example.com")).isEmpty();
        }
    }

    @Test
    void aDomainOfAnUnknownMailRoomWaits() {
        MailDomain md = Fixtures.mailDomain(client, "lonely");
        MailDomainStatus status;
        try (InstallationStores stores = new InstallationStores(settings)) {
            status = new MailDomainReconciler(client, stores).apply(md);
        }
        var ready = Conditions.find(status.conditions, Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("MailRoomNotFound");
        assertThat(ready.getObservedGeneration()).isEqualTo(md.getMetadata().getGeneration());
        assertThat(client.secrets().inNamespace("lonely").withName("example-com-dkim").get()).isNull();
    }

    /** Signs with the private key and verifies with the public key as a verifier would read it from DNS. */
    private static void assertSignatureVerifies(PrivateKey key, String record) throws Exception {
        byte[] data = "a message to sign".getBytes(StandardCharsets.UTF_8);
        byte[] p = Base64.getDecoder().decode(record.substring(record.indexOf("p=") + 2));
        if (record.contains("k=rsa")) {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance("SHA256withRSA");
            v.initVerify(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p)));
            v.update(data);
            assertThat(v.verify(sig)).isTrue();
        } else {
            assertThat(p).hasSize(32);
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, new Ed25519PublicKeyParameters(p, 0));
            v.update(data, 0, data.length);
            assertThat(v.verifySignature(sig)).isTrue();
        }
    }
}
