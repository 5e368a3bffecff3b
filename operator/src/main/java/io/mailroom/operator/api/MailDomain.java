package io.mailroom.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A mail domain of an installation: DKIM keys and the DNS records to publish. */
@Group(MailRoom.GROUP)
@Version(MailRoom.VERSION)
@ShortNames("md")
@AdditionalPrinterColumn(name = "Domain", jsonPath = ".spec.domain", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "MailRoom", jsonPath = ".spec.mailRoom", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
public class MailDomain extends CustomResource<MailDomainSpec, MailDomainStatus> implements Namespaced {
    // no initStatus(): a null status makes the first status patch add /status as a whole
}
