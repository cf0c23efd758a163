package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.ServiceInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Turns a Service backend into endpoint addresses: the Service port by number or name, then the
 * ready endpoints of the Service's EndpointSlices on the slice port of the same name. In
 * standalone mode, a Service without slices may list its endpoints in an annotation.
 */
final class EndpointResolver {

  static final String STATIC_ENDPOINTS = "clb.ingress.io/static-endpoints";

  /**
   * Endpoints (sorted, no duplicates) or, when the backend cannot be resolved, why.
   *
   * @param servicePort the Service port number the backend names, when known
   */
  record Resolution(List<Endpoint> endpoints, Integer servicePort, Problem problem) {
  }

  /**
   * The objects that resolving a backend of a Service reads: the Service (null when there is none)
   * and its EndpointSlices, to tell whether a later state resolves it the same way.
   */
  record Inputs(ObjectRef service, ServiceInfo info, List<EndpointSliceInfo> slices) {
  }

  private final Map<ObjectRef, ServiceInfo> services = new HashMap<>();
  private final Map<ObjectRef, List<EndpointSliceInfo>> slicesByService = new HashMap<>();
  private final boolean staticEndpoints;

  EndpointResolver(ClusterState state, Settings settings) {
    for (ServiceInfo service : state.services()) {
      services.put(service.ref(), service);
    }
    for (EndpointSliceInfo slice : state.endpointSlices()) {
      if (slice.serviceName() != null) {
        slicesByService.computeIfAbsent(serviceRef(slice.ref().namespace(), slice.serviceName()), k -> new ArrayList<>())
            .add(slice);
      }
    }
    this.staticEndpoints = settings.staticEndpoints();
  }

  Inputs inputs(String namespace, String service) {
    ObjectRef ref = serviceRef(namespace, service);
    return new Inputs(ref, services.get(ref), slicesByService.getOrDefault(ref, List.of()));
  }

  /** Whether this state has the very same objects as {@code inputs} (records of an unchanged object are kept by the sources). */
  boolean unchanged(Inputs inputs) {
    return services.get(inputs.service()) == inputs.info()
        && TranslationCache.sameObjects(slicesByService.getOrDefault(inputs.service(), List.of()), inputs.slices());
  }

  /**
   * @param user the object that names the backend, and the field where it does, for the problem
   * @param consequence what a backend without endpoints means for the user, ending the problem
   */
  Resolution resolve(String namespace, BackendRef backend, ObjectRef user, String field, String consequence) {
    ObjectRef serviceRef = serviceRef(namespace, backend.service());
    ServiceInfo service = services.get(serviceRef);
    if (service == null) {
      return failed(user, field + ".service.name", serviceRef + " not found; " + consequence);
    }
    List<EndpointSliceInfo> slices = slicesByService.getOrDefault(serviceRef, List.of());
    String staticList = service.annotations().get(STATIC_ENDPOINTS);
    ServiceInfo.Port port = service.ports().stream()
        .filter(p -> backend.portNumber() != null ? p.port() == backend.portNumber() : Objects.equals(p.name(), backend.portName()))
        .findFirst().orElse(null);
    if (slices.isEmpty() && staticEndpoints && staticList != null) {
      return parseStatic(service, staticList, port == null ? backend.portNumber() : Integer.valueOf(port.port()));
    }
    if (port == null) {
      return failed(user, field + ".service.port", serviceRef + " has no port " + backend.portText()
          + "; " + consequence);
    }
    TreeSet<Endpoint> endpoints = new TreeSet<>(EndpointResolver::compare);
    for (EndpointSliceInfo slice : slices) {
      for (EndpointSliceInfo.Port slicePort : slice.ports()) {
        if (slicePort.port() != null && sameName(slicePort.name(), port.name())) {
          for (EndpointSliceInfo.Endpoint endpoint : slice.endpoints()) {
            if (endpoint.isReady()) {
              endpoint.addresses().forEach(address -> endpoints.add(new Endpoint(address, slicePort.port())));
            }
          }
        }
      }
    }
    return new Resolution(List.copyOf(endpoints), port.port(), null);
  }

  private static Resolution parseStatic(ServiceInfo service, String list, Integer servicePort) {
    TreeSet<Endpoint> endpoints = new TreeSet<>(EndpointResolver::compare);
    for (String item : list.split(",")) {
      String text = item.trim();
      int colon = text.lastIndexOf(':');
      try {
        if (colon <= 0) {
          throw new IllegalArgumentException("no port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        endpoints.add(new Endpoint(host, Integer.parseInt(text.substring(colon + 1))));
      } catch (IllegalArgumentException e) {
        return failed(service.ref(), Problem.annotationField(STATIC_ENDPOINTS),
            "\"" + text + "\" is not host:port; the route answers 503");
      }
    }
    return new Resolution(List.copyOf(endpoints), servicePort, null);
  }

  private static Resolution failed(ObjectRef object, String field, String reason) {
    return new Resolution(List.of(), null, new Problem(object, field, reason));
  }

  private static boolean sameName(String a, String b) {
    return Objects.equals(a == null ? "" : a, b == null ? "" : b);
  }

  private static ObjectRef serviceRef(String namespace, String name) {
    return new ObjectRef("Service", namespace, name);
  }

  private static int compare(Endpoint a, Endpoint b) {
    int byAddress = a.address().compareTo(b.address());
    return byAddress != 0 ? byAddress : Integer.compare(a.port(), b.port());
  }
}
