package io.clbingress.e2e;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The mock API server's CRUD dispatcher plus the discovery documents ({@code /api}, {@code /apis},
 * {@code /version} and the resource lists) that kubectl needs to map kinds to resources. Only the
 * kinds this project uses are listed.
 */
final class DiscoveryDispatcher extends Dispatcher {

  private record Resource(String group, String version, String plural, String kind, boolean namespaced, String shortName) {
    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  private static final List<Resource> RESOURCES = List.of(
      new Resource("", "v1", "namespaces", "Namespace", false, "ns"),
      new Resource("", "v1", "services", "Service", true, "svc"),
      new Resource("", "v1", "secrets", "Secret", true, ""),
      new Resource("", "v1", "events", "Event", true, "ev"),
      new Resource("networking.k8s.io", "v1", "ingresses", "Ingress", true, "ing"),
      new Resource("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, ""),
      new Resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, ""),
      new Resource("coordination.k8s.io", "v1", "leases", "Lease", true, ""),
      new Resource("clb.ingress.io", "v1alpha1", "clblisteners", "CLBListener", true, "clbl"),
      // What the plain manifests of deploy/ create
      new Resource("", "v1", "serviceaccounts", "ServiceAccount", true, "sa"),
      new Resource("apps", "v1", "deployments", "Deployment", true, "deploy"),
      new Resource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, "pdb"),
      new Resource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, ""),
      new Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, ""),
      new Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", true, ""),
      new Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, ""),
      new Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd"));

  private final KubernetesCrudDispatcher crud;

  DiscoveryDispatcher(KubernetesCrudDispatcher crud) {
    this.crud = crud;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    int query = path.indexOf('?');
    path = query < 0 ? path : path.substring(0, query);
    String document = request.getMethod().equals("GET") ? discovery(path) : null;
    if (document != null) {
      return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(document);
    }
    return crud.dispatch(request);
  }

  private static String discovery(String path) {
    switch (path) {
      case "/version":
        return "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-mock\",\"platform\":\"linux/amd64\"}";
      case "/api":
        return "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
            + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}";
      case "/apis":
        Map<String, String> groups = RESOURCES.stream().filter(r -> !r.group().isEmpty())
            .collect(Collectors.toMap(Resource::group, Resource::version, (a, b) -> a, java.util.TreeMap::new));
        return "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[" + groups.entrySet().stream()
            .map(g -> {
              String gv = "{\"groupVersion\":\"" + g.getKey() + "/" + g.getValue() + "\",\"version\":\"" + g.getValue() + "\"}";
              return "{\"name\":\"" + g.getKey() + "\",\"versions\":[" + gv + "],\"preferredVersion\":" + gv + "}";
            })
            .collect(Collectors.joining(",")) + "]}";
      default:
        List<Resource> inVersion = RESOURCES.stream()
            .filter(r -> path.equals(r.group().isEmpty() ? "/api/" + r.version() : "/apis/" + r.groupVersion()))
            .toList();
        if (inVersion.isEmpty()) {
          return null;
        }
        return "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + inVersion.get(0).groupVersion()
            + "\",\"resources\":[" + inVersion.stream().map(DiscoveryDispatcher::resource).collect(Collectors.joining(","))
            + "]}";
    }
  }

  private static String resource(Resource r) {
    String verbs = "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]";
    return "{\"name\":\"" + r.plural() + "\",\"singularName\":\"" + r.kind().toLowerCase() + "\",\"namespaced\":"
        + r.namespaced() + ",\"kind\":\"" + r.kind() + "\",\"verbs\":" + verbs
        + (r.shortName().isEmpty() ? "" : ",\"shortNames\":[\"" + r.shortName() + "\"]") + "},"
        + "{\"name\":\"" + r.plural() + "/status\",\"singularName\":\"\",\"namespaced\":" + r.namespaced()
        + ",\"kind\":\"" + r.kind() + "\",\"verbs\":[\"get\",\"patch\",\"update\"]}";
  }
}
