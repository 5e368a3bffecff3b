package io.mailroom.operator.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroom.common.address.Domains;
import io.mailroom.operator.api.MailDomain;
import io.mailroom.operator.api.MailRoom;
import java.util.Optional;

/** Finds the MailRoom a resource belongs to: named explicitly, or the one of its domain's MailDomain. */
public final class Installations {
    private Installations() {}

    public static Optional<MailRoom> mailRoom(KubernetesClient client, String namespace, String name) {
        return Optional.ofNullable(client.resources(MailRoom.class).inNamespace(namespace).withName(name).get());
    }

    public static Optional<MailDomain> mailDomain(KubernetesClient client, String namespace, String domain) {
        String canonical = Domains.canonical(domain);
        return client.resources(MailDomain.class).inNamespace(namespace).list().getItems().stream()
                .filter(d -> d.getSpec() != null && canonical.equals(d.getSpec().domain)).findFirst();
    }

    /** The MailRoom's name: {@code explicit} when given, else the MailRoom of the domain's MailDomain. */
    public static Optional<String> mailRoomName(KubernetesClient client, String namespace, String explicit,
            String domain) {
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(explicit);
        }
        return mailDomain(client, namespace, domain).map(d -> d.getSpec().mailRoom);
    }
}
