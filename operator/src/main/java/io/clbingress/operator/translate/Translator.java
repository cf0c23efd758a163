package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one pure function from cluster state to routing table: no I/O, no clock, no logging.
 * Ingresses with invalid annotations keep the configuration last accepted for them (or are not
 * programmed); every rejection becomes a {@link Problem}.
 */
public final class Translator {

  /** The listener on the data plane's {@code --http-port}. */
  public static final String DEFAULT_HTTP_LISTENER = "default-http";

  private static final Comparator<IngressInfo> OLDEST_FIRST =
      Comparator.comparing(IngressInfo::created).thenComparing(IngressInfo::ref);

  private Translator() {
  }

  private record Effective(IngressInfo ingress, IngressOptions options) {
  }

  public static Translation translate(ClusterState state, Settings settings, Map<ObjectRef, IngressInfo> lastAccepted) {
    List<Problem> problems = new ArrayList<>();
    Set<ObjectRef> listeners = new HashSet<>(state.listeners());
    Map<ObjectRef, IngressInfo> accepted = new HashMap<>();
    List<Effective> effective = new ArrayList<>();
    for (IngressInfo ingress : IngressClassFilter.ours(state, settings)) {
      IngressOptions.Parsed parsed = IngressOptions.parse(ingress, settings, listeners);
      problems.addAll(parsed.problems());
      IngressInfo chosen = ingress;
      if (!parsed.problems().isEmpty()) {
        chosen = lastAccepted.get(ingress.ref());
        parsed = chosen == null ? null : IngressOptions.parse(chosen, settings, listeners);
      }
      if (parsed != null && parsed.problems().isEmpty()) {
        effective.add(new Effective(chosen, parsed.options()));
        accepted.put(chosen.ref(), chosen);
      }
    }
    effective.sort(Comparator.comparing(Effective::ingress, OLDEST_FIRST));

    HttpRouteBuilder routes = new HttpRouteBuilder(DEFAULT_HTTP_LISTENER, new EndpointResolver(state, settings), problems);
    for (Effective e : effective) {
      routes.add(e.ingress(), e.options());
    }
    RoutingTable table = RoutingTable.unpublished(List.of(routes.listener()), routes.clusters());
    problems.sort(Comparator.comparing(Problem::object).thenComparing(Problem::field).thenComparing(Problem::reason));
    return new Translation(table, problems, accepted);
  }
}
