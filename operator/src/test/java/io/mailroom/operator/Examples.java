package io.mailroom.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The checked-in YAML under the repository's k8s/, helm/ and crds/ folders, as tests read them. */
public final class Examples {
    private Examples() {}

    /** The repository root (tests run in operator/). */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        return Files.exists(p.resolve("k8s")) ? p : p.getParent();
    }

    public static Path examples() {
        return root().resolve("k8s/examples");
    }

    /** One object of a given kind from an example file. */
    public static <T extends HasMetadata> T load(String file, Class<T> type) {
        String kind = HasMetadata.getKind(type);
        return documents(examples().resolve(file)).stream()
                .filter(d -> kind.equals(Serialization.unmarshal(d, GenericKubernetesResource.class).getKind()))
                .map(d -> Serialization.unmarshal(d, type)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + kind + " in " + file));
    }

    /** Every object of a given kind in an example file. */
    public static <T extends HasMetadata> List<T> loadAll(String file, Class<T> type) {
        String kind = HasMetadata.getKind(type);
        return documents(examples().resolve(file)).stream()
                .filter(d -> kind.equals(Serialization.unmarshal(d, GenericKubernetesResource.class).getKind()))
                .map(d -> Serialization.unmarshal(d, type)).toList();
    }

    /** The YAML documents of a file (separated by '---' lines), comments-only documents left out. */
    public static List<String> documents(Path file) {
        try {
            String yaml = Files.readString(file);
            return java.util.Arrays.stream(yaml.split("(?m)^---\\s*$"))
                    .filter(d -> d.lines().anyMatch(l -> !l.isBlank() && !l.stripLeading().startsWith("#")))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
