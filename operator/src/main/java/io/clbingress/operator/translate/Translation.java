package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The result of one translation.
 *
 * @param table the routing table (unpublished: version 0)
 * @param problems every rejected value, sorted by object
 * @param accepted per Ingress, the version whose configuration is in {@code table}; the caller
 *     passes it to the next translation so that a broken edit keeps the last good configuration.
 *     Handed over, not copied (one entry per Ingress, every translation): whoever makes a
 *     Translation does not change the map afterwards; readers get it read-only
 * @param listeners what became of each CLBListener, for its status
 */
public record Translation(RoutingTable table, List<Problem> problems, Map<ObjectRef, IngressInfo> accepted,
    List<ListenerStatus> listeners) {

  public Translation {
    problems = List.copyOf(problems);
    accepted = Collections.unmodifiableMap(accepted);
    listeners = List.copyOf(listeners);
  }
}
