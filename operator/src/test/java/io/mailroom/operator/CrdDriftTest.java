package io.mailroom.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mailroom.operator.api.ClientCertificate;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.api.MailUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs are generated from the Java types (Fabric8's CRD generator, as quarkus-operator-sdk
 * does at build time); the copies checked into crds/, helm/ and k8s/ must be identical.
 * After changing a type, refresh the copies with {@code -Dmailroom.crds.update=true}.
 */
public class CrdDriftTest {
    public static final List<String> FILES = List.of("mailrooms.mailroom.io-v1.yml", "maildomains.mailroom.io-v1.yml",
            "mailusers.mailroom.io-v1.yml", "clientcertificates.mailroom.io-v1.yml");
    static final List<String> COPIES = List.of("crds", "helm/mailroom-operator/crds", "k8s/crds");

    @TempDir
    static Path generated;

    @BeforeAll
    static void generate() throws IOException {
        int n = new CRDGenerator().customResourceClasses(MailRoom.class, MailDomain.class, MailUser.class,
                ClientCertificate.class).forCRDVersions("v1").inOutputDir(generated.toFile()).generate();
        assertThat(n).isEqualTo(4);
        if (Boolean.getBoolean("mailroom.crds.update")) {
            for (String copy : COPIES) {
                Path dir = Examples.root().resolve(copy);
                Files.createDirectories(dir);
                for (String f : FILES) {
                    Files.copy(generated.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void checkedInCopiesAreIdenticalToTheGeneratedCrds() throws IOException {
        for (String copy : COPIES) {
            Path dir = Examples.root().resolve(copy);
            assertThat(Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList())
                    .as("CRD files in " + copy).containsExactlyInAnyOrderElementsOf(FILES);
            for (String f : FILES) {
                assertThat(Files.readString(dir.resolve(f)))
                        .as(copy + "/" + f + " differs from the generated CRD; run the tests with"
                                + " -Dmailroom.crds.update=true and commit the result")
                        .isEqualTo(Files.readString(generated.resolve(f)));
            }
        }
    }

    @Test
    void schemasValidateWhatUsersWrite() throws IOException {
        CustomResourceDefinitionVersion room = version("mailrooms.mailroom.io-v1.yml");
        JSONSchemaProps spec = room.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(spec.getRequired()).containsExactlyInAnyOrder("hostnames", "tls");
        JSONSchemaProps hostnames = spec.getProperties().get("hostnames");
        assertThat(hostnames.getRequired()).containsExactlyInAnyOrder("mx", "submission");
        Pattern host = Pattern.compile(hostnames.getProperties().get("mx").getPattern());
        assertThat(host.matcher("mx.example.com").matches()).isTrue();
        assertThat(host.matcher("MX.example.com").matches()).isFalse();
        assertThat(host.matcher("localhost").matches()).isFalse();
        assertThat(host.matcher("mx.example.com; rm -rf /").matches()).isFalse();
        JSONSchemaProps checks = spec.getProperties().get("checks");
        assertThat(checks.getProperties().get("dmarc").getEnum()).extracting(Object::toString)
                .containsExactlyInAnyOrder("\"off\"", "\"tag\"", "\"enforce\"");
        assertThat(spec.getProperties().get("expose").getProperties().get("type").getEnum())
                .extracting(Object::toString).containsExactlyInAnyOrder("\"LoadBalancer\"", "\"NodePort\"");
        assertThat(spec.getProperties().get("components").getProperties().get("inbox").getProperties()
                .get("replicas").getMinimum()).isEqualTo(0.0);
        Pattern forwarder = Pattern.compile(spec.getProperties().get("resolver").getProperties().get("forwarders")
                .getItems().getSchema().getPattern());
        assertThat(forwarder.matcher("192.0.2.53").matches()).isTrue();
        assertThat(forwarder.matcher("2001:db8::53").matches()).isTrue();
        assertThat(forwarder.matcher("192.0.2.53\nserver:").matches()).isFalse();
        assertThat(forwarder.matcher("dns.example.com").matches()).isFalse();
        assertThat(room.getSubresources().getStatus()).isNotNull();
        assertThat(room.getAdditionalPrinterColumns()).extracting(c -> c.getName()).containsExactlyInAnyOrder("MX", "Ready", "Age");

        CustomResourceDefinitionVersion user = version("mailusers.mailroom.io-v1.yml");
        JSONSchemaProps userSpec = user.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(userSpec.getRequired()).containsExactly("address");
        Pattern address = Pattern.compile(userSpec.getProperties().get("address").getPattern());
        assertThat(address.matcher("alice@example.com").matches()).isTrue();
        assertThat(address.matcher("alice@localhost").matches()).isFalse();
        assertThat(address.matcher("alice+tag@example.com").matches()).isFalse();
        assertThat(address.matcher("<alice@example.com>").matches()).isFalse();
        Pattern alias = Pattern.compile(userSpec.getProperties().get("aliases").getItems().getSchema().getPattern());
        assertThat(alias.matcher("sales@example.com").matches()).isTrue();
        assertThat(alias.matcher("sales").matches()).isFalse();
        assertThat(userSpec.getXKubernetesValidations()).singleElement()
                .satisfies(v -> assertThat(v.getRule()).isEqualTo("self.address == oldSelf.address"));
        assertThat(user.getSubresources().getStatus()).isNotNull();

        CustomResourceDefinitionVersion domain = version("maildomains.mailroom.io-v1.yml");
        JSONSchemaProps domainSpec = domain.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(domainSpec.getRequired()).containsExactlyInAnyOrder("domain", "mailRoom");
        assertThat(domainSpec.getProperties().get("dkim").getProperties().get("algorithms").getItems().getSchema()
                .getEnum()).extracting(Object::toString).containsExactlyInAnyOrder("\"rsa-sha256\"", "\"ed25519-sha256\"");
        assertThat(domainSpec.getProperties().get("dmarc").getProperties().get("policy").getEnum())
                .extracting(Object::toString).containsExactlyInAnyOrder("\"none\"", "\"quarantine\"", "\"reject\"");
        assertThat(domain.getSchema().getOpenAPIV3Schema().getProperties().get("status").getProperties())
                .containsKey("dnsRecords");

        CustomResourceDefinitionVersion cert = version("clientcertificates.mailroom.io-v1.yml");
        JSONSchemaProps certSpec = cert.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertThat(certSpec.getRequired()).containsExactlyInAnyOrder("user", "secretName");
        assertThat(certSpec.getProperties().get("validityDays").getMaximum()).isEqualTo(825.0);
    }

    private static CustomResourceDefinitionVersion version(String file) throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(generated.resolve(file)),
                CustomResourceDefinition.class);
        assertThat(crd.getSpec().getGroup()).isEqualTo("mailroom.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getServed()).isTrue();
        assertThat(v.getStorage()).isTrue();
        return v;
    }
}
