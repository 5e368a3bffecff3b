package io.mailroom.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Mail Room installation: the workloads, their storage and their settings. */
@Group(MailRoom.GROUP)
@Version(MailRoom.VERSION)
@ShortNames("mr")
@AdditionalPrinterColumn(name = "MX", jsonPath = ".spec.hostnames.mx", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class MailRoom extends CustomResource<MailRoomSpec, MailRoomStatus> implements Namespaced {
    public static final String GROUP = "mailroom.io";
    public static final String VERSION = "v1alpha1";

    // no initStatus(): a null status makes the first status patch add /status as a whole
}
