package io.mailroom.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Creates or updates owned objects without server-side apply: the desired object carries a hash
 * of itself in an annotation, and an object whose stored hash matches is left alone, so a
 * reconcile that changes nothing writes nothing (resourceVersions stay put).
 */
public class ResourceApplier {
    public static final String APPLIED_HASH = "mailroom.io/applied-hash";

    private final KubernetesClient client;

    public ResourceApplier(KubernetesClient client) {
        this.client = client;
    }

    /** The outcome of one apply, for logs and tests. */
    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    public <T extends HasMetadata> Outcome apply(HasMetadata owner, T desired) {
        setOwner(owner, desired);
        Map<String, String> annotations = new HashMap<>(
                desired.getMetadata().getAnnotations() == null ? Map.of() : desired.getMetadata().getAnnotations());
        annotations.remove(APPLIED_HASH);
        desired.getMetadata().setAnnotations(annotations);
        String hash = hash(desired);
        annotations.put(APPLIED_HASH, hash);
        T existing = client.resource(desired).get();
        if (existing == null) {
            client.resource(desired).create();
            return Outcome.CREATED;
        }
        Map<String, String> current = existing.getMetadata().getAnnotations();
        if (current != null && hash.equals(current.get(APPLIED_HASH))) {
            return Outcome.UNCHANGED;
        }
        desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        if (desired instanceof Service s && existing instanceof Service e) {
            // allocated by the API server; a replace without them would be refused
            s.getSpec().setClusterIP(e.getSpec().getClusterIP());
            s.getSpec().setClusterIPs(e.getSpec().getClusterIPs());
            // keep allocated node ports, or clients of a NodePort Service would lose them on every change
            if (e.getSpec().getPorts() != null && s.getSpec().getPorts() != null) {
                for (var port : s.getSpec().getPorts()) {
                    e.getSpec().getPorts().stream()
                            .filter(p -> java.util.Objects.equals(p.getName(), port.getName()) && p.getNodePort() != null)
                            .findFirst().ifPresent(p -> port.setNodePort(p.getNodePort()));
                }
            }
            if (s.getSpec().getHealthCheckNodePort() == null) {
                s.getSpec().setHealthCheckNodePort(e.getSpec().getHealthCheckNodePort());
            }
        }
        if (desired instanceof StatefulSet s && existing instanceof StatefulSet e) {
            // the API server refuses any change of volumeClaimTemplates: replacing them (a new storage
            // size) would fail this and every later update. A size change is made on the PVC itself.
            s.getSpec().setVolumeClaimTemplates(e.getSpec().getVolumeClaimTemplates());
        }
        client.resource(desired).update();
        return Outcome.UPDATED;
    }

    /** Creates the object unless one of that name exists; generated secrets are never replaced. */
    public <T extends HasMetadata> T createIfAbsent(HasMetadata owner, T desired) {
        T existing = client.resource(desired).get();
        if (existing != null) {
            return existing;
        }
        if (owner != null) {
            setOwner(owner, desired);
        }
        return client.resource(desired).create();
    }

    public static void setOwner(HasMetadata owner, HasMetadata object) {
        OwnerReference ref = ownerReference(owner);
        object.getMetadata().setOwnerReferences(List.of(ref));
    }

    public static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    public static String hash(Object object) {
        return sha256(Serialization.asJson(object)).substring(0, 16);
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
