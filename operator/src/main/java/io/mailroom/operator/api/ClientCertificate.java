package io.mailroom.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A client certificate for a user, issued by the installation's CA. */
@Group(MailRoom.GROUP)
@Version(MailRoom.VERSION)
@ShortNames("mcert")
@AdditionalPrinterColumn(name = "User", jsonPath = ".spec.user", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Secret", jsonPath = ".spec.secretName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "NotAfter", jsonPath = ".status.notAfter", type = AdditionalPrinterColumn.Type.STRING)
public class ClientCertificate extends CustomResource<ClientCertificateSpec, ClientCertificateStatus>
        implements Namespaced {
    // no initStatus(): a null status makes the first status patch add /status as a whole
}
