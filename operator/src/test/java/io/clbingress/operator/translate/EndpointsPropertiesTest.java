package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.ServiceInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Properties of the endpoint addresses a user writes: the standalone
 * {@code clb.ingress.io/static-endpoints} annotation ({@code host:port,...}) and EndpointSlices
 * read from YAML. Any text gets endpoints or a problem naming the Service and the annotation,
 * never an exception; exactly host:port items with a DNS name, an IPv4 address or a bracketed
 * IPv6 address and a port of 1-65535 in ASCII digits are accepted, and a list written from
 * endpoints reads back as those endpoints. Inputs come from a fixed seed.
 */
class EndpointsPropertiesTest {

  private static final ObjectRef SERVICE = new ObjectRef("Service", "apps", "web");
  private static final ObjectRef USER = new ObjectRef("Ingress", "apps", "app");
  private static final List<String> PIECES = List.of("127.0.0.1", "10.0.0.", "web", ".example", "-", ":", ":",
      ",", ",", "[", "]", "::1", "fe80::", "9000", "80", "0", "65535", "65536", "[::1]", "a_b", "*", "/", "@");
  private static final Pattern HOST = Pattern.compile(
      "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*"
          + "|\\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\]");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  @Test
  void anyStaticListGetsEndpointsOrAProblemNamingTheServiceAndAnnotation() {
    Inputs in = new Inputs(21, PIECES);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      String list = switch (i % 3) {
        case 0 -> in.chars();
        case 1 -> in.glued();
        default -> items(in);
      };
      EndpointResolver.Resolution resolution = resolveStatic(list);
      String input = Inputs.visible(list);
      List<Endpoint> expected = expected(list);
      if (expected == null) {
        assertThat(resolution.problem()).as(input).isNotNull();
        assertThat(resolution.problem().object()).as(input).isEqualTo(SERVICE);
        assertThat(resolution.problem().field()).as(input)
            .isEqualTo("metadata.annotations[" + EndpointResolver.STATIC_ENDPOINTS + "]");
        assertThat(resolution.endpoints()).as(input).isEmpty();
      } else {
        accepted++;
        assertThat(resolution.problem()).as(input).isNull();
        assertThat(resolution.endpoints()).as(input).isEqualTo(expected);
      }
    }
    assertThat(accepted).as("valid lists among the inputs").isGreaterThan(100);
  }

  @Test
  void endpointsWrittenAsAListReadBack() {
    Inputs in = new Inputs(22, PIECES);
    for (int i = 0; i < 5_000; i++) {
      List<Endpoint> endpoints = new ArrayList<>();
      for (int n = in.random().nextInt(1, 6); n > 0; n--) {
        String host = in.oneOf(List.of("127.0.0.1", "10.1.2.3", "web.apps.svc", "localhost", "::1", "fe80::1",
            "2001:db8::8"));
        endpoints.add(new Endpoint(host, in.random().nextInt(1, 65536)));
      }
      String list = String.join(",", endpoints.stream()
          .map(e -> in.oneOf(Inputs.BLANKS.subList(0, 3)) + e + in.oneOf(List.of("", " ", "\t"))).toList());
      TreeSet<String> expected = new TreeSet<>(endpoints.stream().map(Endpoint::toString).toList());
      EndpointResolver.Resolution resolution = resolveStatic(list);
      assertThat(resolution.problem()).as(list).isNull();
      assertThat(resolution.endpoints().stream().map(Endpoint::toString).toList()).as(list)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void boundaries() {
    assertThat(resolveStatic("127.0.0.1:1").endpoints()).containsExactly(new Endpoint("127.0.0.1", 1));
    assertThat(resolveStatic(" [::1]:65535 , web:80,").endpoints())
        .containsExactly(new Endpoint("::1", 65535), new Endpoint("web", 80));
    for (String wrong : List.of("", " ", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:\u0668\u0660", "127.0.0.1:\uff18\uff10", "[]:80", "::1:80",
        "a b:80", "web:80:81", "web:99999999999", "127.0.0.1:80,,web:81", "http://web:80", "web/x:80")) {
      assertThat(resolveStatic(wrong).problem()).as(Inputs.visible(wrong)).isNotNull();
    }
  }

  /** EndpointSlices from YAML hold what their author wrote: any port (an API server allows 1-65535 only), any address. */
  @Test
  void anyEndpointSliceGivesEndpointsNeverAnException() {
    Inputs in = new Inputs(23, PIECES);
    for (int i = 0; i < 5_000; i++) {
      Integer port = in.integer(0, 1, 80, 65535, 65536);
      String any = in.text();
      List<String> addresses = List.of(any == null ? " " : any, in.oneOf(List.of("10.0.0.1", "", "\t")));
      EndpointSliceInfo slice = new EndpointSliceInfo(new ObjectRef("EndpointSlice", "apps", "web-1"), "web",
          List.of(new EndpointSliceInfo.Port("http", port)),
          List.of(new EndpointSliceInfo.Endpoint(addresses, in.oneOf(Arrays.asList(true, false, null)))));
      ServiceInfo service = new ServiceInfo(SERVICE, Map.of(), List.of(new ServiceInfo.Port("http", 80)));
      EndpointResolver resolver = new EndpointResolver(new ClusterState(List.of(), List.of(), List.of(service),
          List.of(slice), List.of(), List.of()), Settings.defaults());
      String input = Inputs.visible(port + " " + addresses);
      EndpointResolver.Resolution resolution = resolver.resolve("apps", new BackendRef("web", 80, null), USER,
          "spec.backend", "the route answers 503");
      assertThat(resolution.endpoints()).as(input).allSatisfy(e -> {
        assertThat(e.port()).isBetween(1, 65535);
        assertThat(e.address()).isNotEmpty();
      });
    }
  }

  /** One to four host:port items, hosts and ports valid or at their edges, blanks and a trailing comma at times. */
  private static String items(Inputs in) {
    List<String> items = new ArrayList<>();
    for (int n = in.random().nextInt(1, 5); n > 0; n--) {
      String host = in.oneOf(List.of("127.0.0.1", "web", "web.apps.svc", "[::1]", "[fe80::1]", "::1", "", "-web", "web-",
          "10.0.0.1.", "a..b", "[]", "x".repeat(64), in.oneOf(Inputs.LOOK_ALIKES)));
      items.add(in.oneOf(Inputs.BLANKS) + host + ":" + in.oneOf(Inputs.NUMBERS) + in.oneOf(List.of("", " ", "\t")));
    }
    return String.join(",", items) + in.oneOf(List.of("", "", ",", ", "));
  }

  private static EndpointResolver.Resolution resolveStatic(String list) {
    ServiceInfo service = new ServiceInfo(SERVICE, Map.of(EndpointResolver.STATIC_ENDPOINTS, list),
        List.of(new ServiceInfo.Port("http", 80)));
    EndpointResolver resolver = new EndpointResolver(new ClusterState(List.of(), List.of(), List.of(service), List.of(),
        List.of(), List.of()), Settings.defaults().withStaticEndpoints(true));
    return resolver.resolve("apps", new BackendRef("web", 80, null), USER, "spec.rules[0].http.paths[0].backend",
        "the route answers 503");
  }

  /** The documented reading of a list, sorted and without duplicates; null when any item is wrong. */
  private static List<Endpoint> expected(String list) {
    TreeSet<String> seen = new TreeSet<>();
    List<Endpoint> endpoints = new ArrayList<>();
    String[] items = list.split(",", -1);
    for (int i = 0; i < items.length; i++) {
      String item = items[i].trim();
      if (item.isEmpty() && i == items.length - 1 && i > 0) {
        continue; // a trailing comma
      }
      int colon = item.lastIndexOf(':');
      if (colon <= 0 || !HOST.matcher(item.substring(0, colon)).matches()
          || !PORT.matcher(item.substring(colon + 1)).matches()) {
        return null;
      }
      int port = Integer.parseInt(item.substring(colon + 1));
      String host = item.substring(0, colon).replace("[", "").replace("]", "");
      if (port < 1 || port > 65535) {
        return null;
      }
      if (seen.add(host + " " + port)) {
        endpoints.add(new Endpoint(host, port));
      }
    }
    endpoints.sort(java.util.Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
    return endpoints;
  }
}
