package io.mailroom.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroom.operator.store.InstallationStores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the operator's settings and shared helpers from Quarkus configuration. */
@ApplicationScoped
public class SettingsProducer {
    @ConfigProperty(name = "mailroom.operator.redis-uri-override")
    Optional<String> redisUriOverride;

    @ConfigProperty(name = "mailroom.operator.mail-root", defaultValue = OperatorSettings.MAIL_ROOT)
    String mailRoot;

    @ConfigProperty(name = "mailroom.operator.namespace", defaultValue = "mailroom-system")
    String namespace;

    @ConfigProperty(name = "mailroom.operator.image-registry", defaultValue = "ghcr.io/mailroom")
    String registry;

    @ConfigProperty(name = "mailroom.operator.image-tag")
    String tag;

    @ConfigProperty(name = "mailroom.operator.bcrypt-cost", defaultValue = "10")
    int bcryptCost;

    @Produces
    @Singleton
    OperatorSettings settings() {
        return new OperatorSettings(redisUriOverride.filter(s -> !s.isBlank()), Path.of(mailRoot), namespace,
                registry, tag, bcryptCost);
    }

    @Produces
    @Singleton
    InstallationStores stores(OperatorSettings settings) {
        return new InstallationStores(settings);
    }

    void close(@Disposes InstallationStores stores) {
        stores.close();
    }
}
