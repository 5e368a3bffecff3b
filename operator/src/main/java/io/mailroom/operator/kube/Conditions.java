package io.mailroom.operator.kube;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/** Kubernetes-style conditions: lastTransitionTime moves only when the status flips. */
public final class Conditions {
    public static final String READY = "Ready";

    private Conditions() {}

    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
            Long generation) {
        String value = status ? "True" : "False";
        Condition current = find(conditions, type);
        String since = current != null && value.equals(current.getStatus())
                ? current.getLastTransitionTime()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Condition next = new ConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).withObservedGeneration(generation).build();
        if (current != null) {
            conditions.set(conditions.indexOf(current), next);
        } else {
            conditions.add(next);
        }
    }

    public static Condition find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst().orElse(null);
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }
}
