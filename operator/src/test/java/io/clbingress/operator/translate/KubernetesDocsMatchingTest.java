package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every example of the Kubernetes Ingress documentation ("Examples" of path types, and hostname
 * wildcards), through translation and the data plane's compiled router: which backend serves.
 */
class KubernetesDocsMatchingTest {

  @ParameterizedTest(name = "{0} {1} vs {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      Prefix | /                 | /anything     | /
      Exact  | /foo              | /foo          | /foo
      Exact  | /foo              | /bar          | default
      Exact  | /foo              | /foo/         | default
      Exact  | /foo/             | /foo          | default
      Prefix | /foo              | /foo          | /foo
      Prefix | /foo              | /foo/         | /foo
      Prefix | /foo/             | /foo          | /foo/
      Prefix | /foo/             | /foo/         | /foo/
      Prefix | /aaa/bb           | /aaa/bbb      | default
      Prefix | /aaa/bbb          | /aaa/bbb      | /aaa/bbb
      Prefix | /aaa/bbb/         | /aaa/bbb      | /aaa/bbb/
      Prefix | /aaa/bbb          | /aaa/bbb/     | /aaa/bbb
      Prefix | /aaa/bbb          | /aaa/bbb/ccc  | /aaa/bbb
      Prefix | /aaa/bbb          | /aaa/bbbxyz   | default
      Prefix | /,/aaa            | /aaa/ccc      | /aaa
      Prefix | /,/aaa,/aaa/bbb   | /aaa/bbb      | /aaa/bbb
      Prefix | /,/aaa,/aaa/bbb   | /ccc          | /
      Prefix | /aaa              | /ccc          | default
      Mixed  | /foo              | /foo          | Exact /foo
      Mixed  | /foo              | /foo/bar      | Prefix /foo
      """)
  void pathTypeExamples(String pathType, String paths, String request, String expectedBackend) {
    // Given an Ingress with one Service per path (named after it) and a default backend
    StringBuilder rules = new StringBuilder();
    for (String path : paths.split(",")) {
      if (pathType.equals("Mixed")) {
        rules.append(path(path, "Exact", "Exact " + path)).append(path(path, "Prefix", "Prefix " + path));
      } else {
        rules.append(path(path, pathType, path));
      }
    }
    String backends = Stream.of(paths.split(","))
        .flatMap(p -> Stream.of(p, "Exact " + p, "Prefix " + p))
        .collect(Collectors.joining("\n"));
    ListenerRouter router = compile(ingress("docs.example.com", rules.toString()), backends);
    // When
    CompiledRoute route = router.match("docs.example.com", request);
    // Then
    assertThat(backendOf(route)).isEqualTo(expectedBackend);
  }

  @ParameterizedTest(name = "host {0} vs {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      *.foo.com    | bar.foo.com     | matched
      *.foo.com    | baz.bar.foo.com | default
      *.foo.com    | foo.com         | default
      *.foo.com    | BAR.Foo.Com     | matched
      foo.bar.com  | foo.bar.com     | matched
      foo.bar.com  | FOO.BAR.COM     | matched
      foo.bar.com  | foo.bar.com.    | matched
      foo.bar.com  | bar.foo.com     | default
      """)
  void hostnameWildcardExamples(String ruleHost, String requestHost, String expected) {
    // Given
    ListenerRouter router = compile(ingress(ruleHost, path("/", "Prefix", "matched")), "matched");
    // When
    CompiledRoute route = router.match(requestHost, "/");
    // Then
    assertThat(backendOf(route)).isEqualTo(expected);
  }

  private static ListenerRouter compile(String ingressYaml, String backendLabels) {
    StringBuilder yaml = new StringBuilder(ingressYaml).append(service("default"));
    Stream.of(backendLabels.split("\n")).distinct().forEach(label -> yaml.append(service(label)));
    Translation translation = Translator.translate(Fixtures.fromYaml(yaml.toString()),
        Settings.defaults().withStaticEndpoints(true), Map.of(), Fixtures.TRANSLATED_AT);
    assertThat(translation.problems()).isEmpty();
    return Router.compile(translation.table()).defaultListener(Protocol.HTTP);
  }

  private static String ingress(String host, String paths) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: docs, namespace: default}
        spec:
          ingressClassName: clb
          defaultBackend: {service: {name: %s, port: {number: 80}}}
          rules:
          - host: "%s"
            http:
              paths:
        %s""".formatted(serviceName("default"), host, paths);
  }

  private static String path(String path, String type, String backend) {
    return "      - {path: \"%s\", pathType: %s, backend: {service: {name: %s, port: {number: 80}}}}\n"
        .formatted(path, type, serviceName(backend));
  }

  private static String service(String backend) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:9000"}}
        spec: {ports: [{port: 80}]}
        """.formatted(serviceName(backend));
  }

  /** A Service name that stands for a backend label such as "Exact /foo": hex of the label. */
  private static String serviceName(String backend) {
    return "svc-" + HexFormat.of().formatHex(backend.getBytes(StandardCharsets.UTF_8));
  }

  private static String backendOf(CompiledRoute route) {
    if (route == null) {
      return "none";
    }
    String cluster = route.cluster().name();
    String hex = cluster.substring(cluster.indexOf("/svc-") + 5, cluster.lastIndexOf(':'));
    return new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
  }
}
