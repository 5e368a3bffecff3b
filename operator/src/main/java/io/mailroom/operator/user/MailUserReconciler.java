package io.mailroom.operator.user;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.mailroom.common.InvalidInputException;
import io.mailroom.common.MailRoomException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.password.PasswordHasher;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.Alias;
import io.mailroom.common.store.User;
import io.mailroom.operator.api.MailUser;
import io.mailroom.operator.api.MailUserSpec;
import io.mailroom.operator.api.MailUserStatus;
import io.mailroom.operator.config.OperatorSettings;
import io.mailroom.operator.kube.Conditions;
import io.mailroom.operator.kube.SecretData;
import io.mailroom.operator.kube.Installations;
import io.mailroom.operator.kube.ResourceApplier;
import io.mailroom.operator.store.InstallationStores;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A MailUser: the account in the installation's store, with its password taken from a Secret
 * (referenced, or generated into {@code <name>-credentials}), its aliases, quota and state. The
 * finalizer deletes the account with the resource. Passwords appear in no log and no status.
 */
@ControllerConfiguration(name = "mailuser")
public class MailUserReconciler implements Reconciler<MailUser>, Cleaner<MailUser> {
    private static final Logger LOG = Logger.getLogger(MailUserReconciler.class);
    public static final String DEFAULT_PASSWORD_KEY = "password";

    private final KubernetesClient client;
    private final InstallationStores stores;
    private final PasswordHasher hasher;

    @Inject
    public MailUserReconciler(KubernetesClient client, InstallationStores stores, OperatorSettings settings) {
        this.client = client;
        this.stores = stores;
        this.hasher = new PasswordHasher(settings.bcryptCost());
    }

    public static String credentialsSecretName(MailUser mu) {
        return mu.getMetadata().getName() + "-credentials";
    }

    @Override
    public UpdateControl<MailUser> reconcile(MailUser mu, Context<MailUser> context) {
        MailUserStatus status = apply(mu);
        mu.setStatus(status);
        return UpdateControl.patchStatus(mu).rescheduleAfter(
                Conditions.isTrue(status.conditions, Conditions.READY) ? Duration.ofMinutes(10)
                        : Duration.ofSeconds(30));
    }

    public MailUserStatus apply(MailUser mu) {
        MailUserStatus status = new MailUserStatus();
        if (mu.getStatus() != null) {
            status.conditions = new ArrayList<>(mu.getStatus().conditions);
        }
        Long generation = mu.getMetadata().getGeneration();
        status.observedGeneration = generation;
        String ns = mu.getMetadata().getNamespace();
        MailUserSpec spec = mu.getSpec();
        EmailAddress address;
        try {
            address = EmailAddress.parse(spec.address);
        } catch (InvalidInputException e) {
            return failed(status, "InvalidAddress", e.getMessage(), generation);
        }
        status.address = address.toString();
        Optional<String> mailRoom = Installations.mailRoomName(client, ns, spec.mailRoom, address.domain());
        if (mailRoom.isEmpty() || Installations.mailRoom(client, ns, mailRoom.get()).isEmpty()) {
            return failed(status, "MailRoomNotFound", mailRoom.isEmpty()
                    ? "no MailDomain for " + address.domain() + " in namespace " + ns
                    : "no MailRoom " + mailRoom.get() + " in namespace " + ns, generation);
        }
        status.mailRoom = mailRoom.get();
        String password;
        try {
            password = password(mu, status);
        } catch (InvalidInputException e) {
            return failed(status, "PasswordUnavailable", e.getMessage(), generation);
        }
        try {
            AccountStore store = stores.store(ns, mailRoom.get());
            if (!store.isLocalDomain(address.domain())) {
                return failed(status, "DomainNotRegistered",
                        "domain " + address.domain() + " is not registered yet (MailDomain pending)", generation);
            }
            syncAccount(store, address, password, spec);
            List<String> problems = syncAliases(store, address, spec.aliases);
            status.aliases = store.aliasesOf(address.toString()).stream().map(a -> a.address().toString()).sorted()
                    .toList();
            if (!problems.isEmpty()) {
                return failed(status, "AliasConflict", String.join("; ", problems), generation);
            }
        } catch (InvalidInputException e) {
            return failed(status, "InvalidSpec", e.getMessage(), generation);
        } catch (MailRoomException | io.vertx.core.VertxException | IllegalStateException e) {
            return failed(status, "StoreUnavailable", "account store: " + e.getMessage(), generation);
        }
        Conditions.set(status.conditions, Conditions.READY, true, "AccountReady",
                "account " + address + " exists" + (Boolean.TRUE.equals(spec.disabled) ? " (disabled)" : ""),
                generation);
        return status;
    }

    private void syncAccount(AccountStore store, EmailAddress address, String password, MailUserSpec spec) {
        Optional<User> existing = store.user(address.toString());
        User user;
        if (existing.isEmpty()) {
            user = store.createUser(address.toString(), password);
            LOG.infof("created account %s", address);
        } else {
            user = existing.get();
            if (!hasher.verify(password, user.record().password())) {
                user = store.setPassword(address.toString(), password);
                LOG.infof("changed the password of %s", address);
            }
        }
        String quotaRule = spec.quota == null || spec.quota.isBlank() ? null
                : "*:storage=" + spec.quota.strip().toUpperCase(Locale.ROOT);
        if (!java.util.Objects.equals(quotaRule, user.quotaRule())) {
            user = store.setQuota(address.toString(), spec.quota);
        }
        boolean disabled = Boolean.TRUE.equals(spec.disabled);
        if (disabled != user.disabled()) {
            store.setDisabled(address.toString(), disabled);
            LOG.infof("%s account %s", disabled ? "disabled" : "enabled", address);
        }
    }

    /** Makes the user's aliases exactly the listed ones; returns what could not be done. */
    private List<String> syncAliases(AccountStore store, EmailAddress user, List<String> wanted) {
        Set<String> desired = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (String a : wanted == null ? List.<String>of() : wanted) {
            try {
                desired.add(EmailAddress.parse(a).toString());
            } catch (InvalidInputException e) {
                problems.add(e.getMessage());
            }
        }
        for (Alias a : store.aliasesOf(user.toString())) {
            if (!desired.remove(a.address().toString())) {
                store.deleteAlias(a.address().toString());
            }
        }
        for (String a : desired) {
            try {
                store.createAlias(a, user.toString());
            } catch (MailRoomException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    /** The password from the referenced Secret, or from the generated one (created on first use). */
    private String password(MailUser mu, MailUserStatus status) {
        String ns = mu.getMetadata().getNamespace();
        MailUserSpec.SecretKeyRef ref = mu.getSpec().passwordSecretRef;
        if (ref != null) {
            status.credentialsSecret = ref.name;
            String key = ref.key == null || ref.key.isBlank() ? DEFAULT_PASSWORD_KEY : ref.key;
            Secret s = client.secrets().inNamespace(ns).withName(ref.name).get();
            if (s == null) {
                throw new InvalidInputException("Secret " + ref.name + " not found");
            }
            String value = SecretData.value(s, key);
            if (value == null) {
                throw new InvalidInputException("Secret " + ref.name + " has no key " + key);
            }
            PasswordHasher.validate(value);
            return value;
        }
        String name = credentialsSecretName(mu);
        status.credentialsSecret = name;
        Secret existing = client.secrets().inNamespace(ns).withName(name).get();
        if (existing != null) {
            String value = SecretData.value(existing, DEFAULT_PASSWORD_KEY);
            if (value == null) {
                throw new InvalidInputException("Secret " + name + " has no key " + DEFAULT_PASSWORD_KEY);
            }
            return value;
        }
        String generated = PasswordHasher.generate();
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels("app.kubernetes.io/managed-by", "mailroom-operator").endMetadata()
                .withType("kubernetes.io/basic-auth")
                .withData(Map.of("username", SecretData.encode(EmailAddress.parse(mu.getSpec().address).toString()),
                        "password", SecretData.encode(generated)))
                .build();
        ResourceApplier.setOwner(mu, secret);
        client.resource(secret).create();
        LOG.infof("generated a password for %s into Secret %s/%s", mu.getSpec().address, ns, name);
        return generated;
    }

    private static MailUserStatus failed(MailUserStatus status, String reason, String message, Long generation) {
        Conditions.set(status.conditions, Conditions.READY, false, reason, message, generation);
        return status;
    }

    /**
     * Deletes the account; when the installation is gone there is nothing left to delete. The
     * MailRoom is the spec's, its MailDomain's, or (that MailDomain deleted first) the one in status.
     */
    @Override
    public DeleteControl cleanup(MailUser mu, Context<MailUser> context) {
        String ns = mu.getMetadata().getNamespace();
        EmailAddress address;
        try {
            address = EmailAddress.parse(mu.getSpec().address);
        } catch (InvalidInputException e) {
            return DeleteControl.defaultDelete();
        }
        Optional<String> mailRoom = Installations.mailRoomName(client, ns, mu.getSpec().mailRoom, address.domain())
                // its MailDomain may be deleted first: the MailRoom recorded when the account was made
                .or(() -> Optional.ofNullable(mu.getStatus() == null ? null : mu.getStatus().mailRoom));
        if (mailRoom.isEmpty() || Installations.mailRoom(client, ns, mailRoom.get()).isEmpty()) {
            return DeleteControl.defaultDelete();
        }
        AccountStore store = stores.store(ns, mailRoom.get());
        if (store.user(address.toString()).isPresent()) {
            store.deleteUser(address.toString());
            LOG.infof("deleted account %s", address);
        }
        return DeleteControl.defaultDelete();
    }
}
