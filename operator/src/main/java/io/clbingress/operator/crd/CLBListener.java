package io.clbingress.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A listener of the data plane, as a cloud load balancer has them (SPEC §8): a port and protocol,
 * its certificate, layer-7 defaults, and forwarding rules beside the Ingresses bound to it. The
 * CRD in {@code deploy/crds/} is generated from this model at build time.
 */
@Group("clb.ingress.io")
@Version("v1alpha1")
@Kind("CLBListener")
@Plural("clblisteners")
@ShortNames("clbl")
@AdditionalPrinterColumn(name = "Programmed", jsonPath = ".status.conditions[?(@.type==\"Programmed\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CLBListener extends CustomResource<CLBListenerSpec, CLBListenerStatus> implements Namespaced {
}
