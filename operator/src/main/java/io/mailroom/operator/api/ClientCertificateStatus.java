package io.mailroom.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClientCertificateStatus {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
    public String serialNumber;
    public String notBefore;
    public String notAfter;
    /** SHA-256 fingerprint of the certificate (public information). */
    public String sha256Fingerprint;
}
