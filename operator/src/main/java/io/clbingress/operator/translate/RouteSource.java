package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.operator.state.ObjectRef;
import java.time.Instant;
import java.util.Set;

/**
 * Who asks for routes (an Ingress, or a CLBListener's rule) and with what settings: the owner's
 * age settles conflicts, the rest goes into the routes and clusters it creates.
 *
 * @param redirectHosts hosts whose plain-HTTP requests are redirected to HTTPS (TLS hosts with
 *     ssl-redirect on)
 */
record RouteSource(ObjectRef owner, Instant created, Timeouts timeouts, Scheduler scheduler, BackendProtocol protocol,
    Set<String> redirectHosts) {

  RouteSource {
    redirectHosts = Set.copyOf(redirectHosts);
  }
}
