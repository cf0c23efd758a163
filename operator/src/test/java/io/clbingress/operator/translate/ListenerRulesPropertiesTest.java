package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Route;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.ServiceInfo;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Properties of a CLBListener's rules (host, path, pathType, scheduler, session TTL, weights,
 * timeouts, health check) through the whole translation: whatever they hold, the table is made,
 * every problem names the listener and a field of the rule, and a rule that is valid by the
 * documented rules becomes a route with its values while a wrong one is left out. Inputs come
 * from a fixed seed.
 */
class ListenerRulesPropertiesTest {

  private static final ObjectRef LISTENER = new ObjectRef("CLBListener", "apps", "edge");
  private static final Instant NOW = Instant.parse("2027-06-01T00:00:00Z");
  private static final List<String> PATHS = Arrays.asList("/", "/api", "/a b", "/a\r\nX: y", "/caf\u00e9", "/#x",
      "/%2F", "api", "", null);
  private static final List<String> CODES = Arrays.asList("2xx", "3xx", "5xx", "200", "6xx", "2XX", "", null);

  @Test
  void anyRuleIsARouteWithItsValuesOrProblemsNamingItsFields() {
    Inputs in = new Inputs(31, List.of("1", "2", "5", "60", "s", "m"));
    int routes = 0;
    for (int i = 0; i < 3_000; i++) {
      ListenerInfo.Rule rule = rule(in);
      ListenerInfo listener = new ListenerInfo(LISTENER, 1, NOW, 8081, "HTTP", null, null, null, List.of(rule), null,
          null);
      ServiceInfo web = new ServiceInfo(new ObjectRef("Service", "apps", "web"),
          Map.of(EndpointResolver.STATIC_ENDPOINTS, "127.0.0.1:9000"), List.of(new ServiceInfo.Port("http", 80)));
      ClusterState state = new ClusterState(List.of(), List.of(), List.of(web), List.of(), List.of(listener), List.of());
      String input = Inputs.visible(rule.toString());
      Translation translation = Translator.translate(state, Settings.defaults().withStaticEndpoints(true), Map.of(), NOW);
      for (Problem problem : translation.problems()) {
        assertThat(problem.object()).as(input).isEqualTo(LISTENER);
        assertThat(problem.field()).as(input).startsWith("spec.rules[0]");
      }
      List<Route> served = translation.table().listeners().stream().filter(l -> l.port() == 8081)
          .flatMap(l -> l.virtualHosts().stream()).flatMap(v -> v.routes().stream()).toList();
      assertThat(!served.isEmpty()).as(input).isEqualTo(valid(rule));
      if (!served.isEmpty()) {
        routes++;
        assertThat(served).as(input).singleElement().satisfies(route -> {
          String path = rule.path() == null || rule.path().isEmpty() ? "/" : rule.path(); // ImplementationSpecific
          assertThat(route.match().path()).isEqualTo(path.length() > 1 && path.endsWith("/")
              ? path.substring(0, path.length() - 1) : path);
          assertThat(route.source()).isEqualTo("CLBListener apps/edge");
        });
      }
    }
    assertThat(routes).as("valid rules among the inputs").isGreaterThan(60);
  }

  private static ListenerInfo.Rule rule(Inputs in) {
    BackendRef web = new BackendRef("web", 80, null);
    boolean split = in.random().nextInt(3) == 0;
    List<ListenerInfo.WeightedBackend> backends = !split ? List.of() : List.of(
        new ListenerInfo.WeightedBackend(web, in.integer(-1, 0, 1, 100, 101)),
        new ListenerInfo.WeightedBackend(web, in.integer(-1, 0, 1, 100, 101)));
    ListenerInfo.HealthCheck check = in.random().nextInt(3) == 0 ? null : new ListenerInfo.HealthCheck(
        in.oneOf(Arrays.asList(true, false, null)), in.oneOf(PATHS), in.integer(2, 5, 300),
        in.integer(2, 4, 60), in.integer(2, 10), in.integer(2, 10),
        in.random().nextBoolean() ? null : Arrays.asList(in.oneOf(CODES), in.oneOf(CODES)));
    return new ListenerInfo.Rule(in.oneOf(Arrays.asList("chat.example.com", "*.example.com", "", null, "a_b.example",
            "*.*.example.com", "Chat.Example.COM", "-x.example", "x".repeat(64) + ".example", "\u212aube.example.com")),
        in.oneOf(PATHS), in.oneOf(Arrays.asList("Prefix", "Exact", "ImplementationSpecific", "Regex", null)),
        split ? (in.random().nextBoolean() ? web : null) : in.oneOf(Arrays.asList(web, web, null)), backends,
        in.oneOf(Arrays.asList("WRR", "LEAST_CONN", "IP_HASH", null)), in.integer(0, 30, 86400),
        new ListenerInfo.Timeouts(in.random().nextBoolean() ? null : in.glued(), null, null), check);
  }

  /** The documented rules, field by field. */
  private static boolean valid(ListenerInfo.Rule rule) {
    String host = rule.host() == null ? "" : rule.host();
    boolean hostOk = List.of("chat.example.com", "*.example.com", "", "Chat.Example.COM").contains(host);
    String type = rule.pathType() == null ? "Prefix" : rule.pathType();
    boolean typeOk = List.of("Prefix", "Exact", "ImplementationSpecific").contains(type);
    String path = (rule.path() == null || rule.path().isEmpty()) && type.equals("ImplementationSpecific") ? "/"
        : rule.path();
    boolean pathOk = path != null && path.startsWith("/");
    boolean backendOk = rule.backends().isEmpty() ? rule.backend() != null
        : rule.backend() == null && rule.backends().stream().allMatch(b -> weight(b) >= 0 && weight(b) <= 100)
            && rule.backends().stream().anyMatch(b -> weight(b) > 0);
    Integer ttl = rule.sessionTtlSeconds();
    boolean ttlOk = ttl == null || ttl == 0 || ttl >= 30 && ttl <= 86400;
    String read = rule.timeouts().read();
    boolean readOk = read == null || read.trim().matches("[0-9]{1,9}[smh]?") && readSeconds(read.trim()) >= 1
        && readSeconds(read.trim()) <= 3600;
    return hostOk && typeOk && pathOk && backendOk && ttlOk && readOk && checkOk(rule.healthCheck());
  }

  private static int weight(ListenerInfo.WeightedBackend backend) {
    return backend.weight() == null ? 1 : backend.weight();
  }

  private static long readSeconds(String text) {
    char unit = text.charAt(text.length() - 1);
    String digits = Character.isDigit(unit) ? text : text.substring(0, text.length() - 1);
    return Long.parseLong(digits) * (unit == 'm' ? 60 : unit == 'h' ? 3600 : 1);
  }

  private static boolean checkOk(ListenerInfo.HealthCheck check) {
    if (check == null || Boolean.FALSE.equals(check.enabled())) {
      return true;
    }
    int interval = check.intervalSeconds() == null ? 5 : check.intervalSeconds();
    int timeout = check.timeoutSeconds() == null ? 2 : check.timeoutSeconds();
    List<String> codes = check.httpCodes() == null || check.httpCodes().isEmpty() ? List.of("2xx") : check.httpCodes();
    String path = check.path() == null ? "/" : check.path();
    return path.matches("/[!-~&&[^#]]*") && interval >= 2 && interval <= 300 && timeout >= 2 && timeout <= 60
        && timeout < interval && threshold(check.healthyThreshold()) && threshold(check.unhealthyThreshold())
        && codes.stream().allMatch(c -> List.of("1xx", "2xx", "3xx", "4xx", "5xx").contains(c));
  }

  private static boolean threshold(Integer value) {
    return value == null || value >= 2 && value <= 10;
  }

}
