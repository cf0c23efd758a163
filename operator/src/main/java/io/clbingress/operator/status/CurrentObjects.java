package io.clbingress.operator.status;

import io.clbingress.operator.crd.CLBListener;
import io.clbingress.operator.state.ObjectRef;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;

/** The objects as the cluster has them now (informer copies, never to be changed), or null. */
public interface CurrentObjects {

  Ingress ingress(ObjectRef ref);

  CLBListener listener(ObjectRef ref);
}
