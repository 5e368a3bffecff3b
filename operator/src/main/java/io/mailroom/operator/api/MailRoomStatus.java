package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailRoomStatus {
    public Long observedGeneration;
    /** {@code Ready} and one {@code <Component>Available} per workload. */
    public List<Condition> conditions = new ArrayList<>();
    /** Name of the Secret holding the installation's client-certificate CA. */
    public String caSecret;
}
