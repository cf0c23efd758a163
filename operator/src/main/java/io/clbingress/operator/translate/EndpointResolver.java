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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Service backend into endpoint addresses: the Service port by number or name, then the
 * ready endpoints of the Service's EndpointSlices on the slice port of the same name. In
 * standalone mode, a Service without slices may list its endpoints in an annotation.
 */
final class EndpointResolver {

  static final String STATIC_ENDPOINTS = "clb.ingress.io/static-endpoints";
  private static final String LABEL = "[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?";
  /** A DNS name or IPv4 address, or an IPv6 address in brackets; a port of at most five ASCII digits. */
  private static final Pattern HOST_PORT = Pattern.compile(
      "(" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\\]):([0-9]{1,5})");

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
   * A backend on the first port of a Service (as ingress-nginx's {@code default-backend} takes it),
   * or null when the Service does not exist or has no port.
   */
  BackendRef firstPort(String namespace, String service) {
    ServiceInfo info = services.get(serviceRef(namespace, service));
    return info == null || info.ports().isEmpty() ? null : new BackendRef(service, info.ports().get(0).port(), null);
  }

  /**
   * @param user the object that names the backend, and the field where it does, for the problem
   * @param consequence what a backend without endpoints means for the user, ending the problem
   */
  Resolution resolve(String namespace, BackendRef backend, ObjectRef user, String field, String consequence) {
    return resolve(namespace, backend, user, field, consequence, false);
  }

  /**
   * @param serviceUpstream the Service's cluster IP and port instead of its endpoints
   *     (ingress-nginx's {@code service-upstream}), so that kube-proxy balances; a Service without
   *     one (headless) keeps its endpoints (or static endpoints), with a problem saying so when it
   *     has EndpointSlices
   */
  Resolution resolve(String namespace, BackendRef backend, ObjectRef user, String field, String consequence,
      boolean serviceUpstream) {
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
    if (serviceUpstream && service.hasClusterIp() && port != null) {
      return new Resolution(List.of(new Endpoint(service.clusterIp(), port.port())), port.port(), null);
    }
    if (slices.isEmpty() && staticEndpoints && staticList != null) {
      return parseStatic(service, staticList, port == null ? backend.portNumber() : Integer.valueOf(port.port()));
    }
    if (port == null) {
      return failed(user, field + ".service.port", serviceRef + " has no port " + backend.portText()
          + "; " + consequence);
    }
    Problem headless = null;
    if (serviceUpstream) {
      headless = new Problem(user, Problem.annotationField(AnnotationSpec.NGINX_PREFIX + AnnotationSpec.SERVICE_UPSTREAM.name()),
          serviceRef + " has no cluster IP (headless); its endpoints are used");
    }
    TreeSet<Endpoint> endpoints = new TreeSet<>(EndpointResolver::compare);
    for (EndpointSliceInfo slice : slices) {
      for (EndpointSliceInfo.Port slicePort : slice.ports()) {
        // An API server lets no port outside 1-65535 and no empty address through; a slice
        // read from a file may hold them, and they are no endpoints.
        if (isPort(slicePort.port()) && sameName(slicePort.name(), port.name())) {
          for (EndpointSliceInfo.Endpoint endpoint : slice.endpoints()) {
            if (endpoint.isReady()) {
              endpoint.addresses().stream().filter(address -> !address.trim().isEmpty())
                  .forEach(address -> endpoints.add(new Endpoint(address.trim(), slicePort.port())));
            }
          }
        }
      }
    }
    return new Resolution(List.copyOf(endpoints), port.port(), headless);
  }

  /**
   * {@code host:port,host:port}: a DNS name or IPv4 address, or an IPv6 address in brackets, and a
   * port of 1-65535 in ASCII digits; blanks around items and one trailing comma are allowed.
   * Anything else, or no item at all, is a problem and the route answers 503.
   */
  private static Resolution parseStatic(ServiceInfo service, String list, Integer servicePort) {
    TreeSet<Endpoint> endpoints = new TreeSet<>(EndpointResolver::compare);
    String[] items = list.split(",", -1);
    int count = items.length > 1 && items[items.length - 1].trim().isEmpty() ? items.length - 1 : items.length;
    for (int i = 0; i < count; i++) {
      String text = items[i].trim();
      Matcher matcher = HOST_PORT.matcher(text);
      int port = matcher.matches() ? Integer.parseInt(matcher.group(2)) : 0;
      if (!isPort(port)) {
        return failed(service.ref(), Problem.annotationField(STATIC_ENDPOINTS), "\"" + text
            + "\" is not host:port (a DNS name, an IPv4 address or an [IPv6] address, and a port of 1-65535);"
            + " the route answers 503");
      }
      String host = matcher.group(1);
      endpoints.add(new Endpoint(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port));
    }
    return new Resolution(List.copyOf(endpoints), servicePort, null);
  }

  private static boolean isPort(Integer port) {
    return port != null && port >= 1 && port <= 65535;
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
