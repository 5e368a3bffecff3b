package io.mailroom.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.operator.config.OperatorSettings;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** One version: the pom's, which tags every image, and which the chart, the plain manifests and the operator name. */
public class ReleaseVersionTest {
    public static String pomVersion() throws Exception {
        String pom = Files.readString(Examples.root().resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>mailroom-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).as("version of the parent pom").isTrue();
        return m.group(1);
    }

    @Test
    void chartManifestsAndOperatorDefaultsNameThePomVersion() throws Exception {
        String version = pomVersion();
        String chart = Files.readString(Examples.root().resolve("helm/mailroom-operator/Chart.yaml"));
        assertThat(chart).contains("appVersion: \"" + version + "\"");
        String plain = Files.readString(Examples.root().resolve("k8s/operator.yaml"));
        assertThat(plain).contains("image: \"ghcr.io/mailroom/operator:" + version + "\"");
        assertThat(OperatorSettings.defaults().imageTag()).isEqualTo(version);
        assertThat(Files.readString(Examples.root().resolve("operator/src/main/resources/application.properties")))
                .contains("mailroom.operator.image-tag=${quarkus.application.version}");
    }
}
