package io.mailroom.operator.mailroom;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.mailroom.common.ca.ClientCertificateAuthority;
import io.mailroom.operator.api.MailRoom;
import io.mailroom.operator.kube.SecretData;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/** The Secrets an installation makes for itself, once: the client-certificate CA and the Controller's token. */
public final class InstallationSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private InstallationSecrets() {}

    public static Secret ca(MailRoom mr) {
        MailRoomNames names = MailRoomNames.of(mr.getMetadata().getName());
        ClientCertificateAuthority ca = ClientCertificateAuthority.generate("Mail Room " + names.base());
        return new SecretBuilder().withNewMetadata().withName(names.caSecret())
                .withNamespace(mr.getMetadata().getNamespace()).withLabels(MailRoomManifests.labels(mr, null))
                .endMetadata().withType("Opaque")
                .withData(Map.of("ca.crt", SecretData.encode(ca.certificatePem()), "ca.key",
                        SecretData.encode(ca.privateKeyPem())))
                .build();
    }

    public static Secret controllerToken(MailRoom mr) {
        return token(mr, MailRoomNames.of(mr.getMetadata().getName()).controllerToken(), Component.CONTROLLER);
    }

    /** The bearer token of the Outbox's queue admin API; the Controller mounts it too. */
    public static Secret outboxAdminToken(MailRoom mr) {
        return token(mr, MailRoomNames.of(mr.getMetadata().getName()).outboxAdminToken(), Component.OUTBOX);
    }

    private static Secret token(MailRoom mr, String name, Component c) {
        byte[] token = new byte[32];
        RANDOM.nextBytes(token);
        return new SecretBuilder().withNewMetadata().withName(name)
                .withNamespace(mr.getMetadata().getNamespace())
                .withLabels(MailRoomManifests.labels(mr, c)).endMetadata().withType("Opaque")
                .withData(Map.of("token",
                        SecretData.encode(Base64.getUrlEncoder().withoutPadding().encodeToString(token))))
                .build();
    }
}
