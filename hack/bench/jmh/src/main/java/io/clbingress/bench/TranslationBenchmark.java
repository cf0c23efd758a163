package io.clbingress.bench;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.upstream.EndpointHealth;
import io.clbingress.dataplane.upstream.EndpointLoad;
import io.clbingress.operator.publish.TableUpdater;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.EndpointSliceInfo;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.ServiceInfo;
import io.clbingress.operator.translate.Settings;
import io.clbingress.operator.translate.Translation;
import io.clbingress.operator.translate.Translator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full rebuild of a large cluster: N Ingresses with 3 paths each, one Service and one
 * EndpointSlice (3 endpoints) per Ingress. "rebuild" is what the operator does on a change
 * (translate, hash); "compile" is what a data plane does with the result. Run with
 * {@code -prof gc} for allocated bytes per rebuild. "oneChange" is the steady state of a running
 * controller: one Ingress among them changes (its host renamed, back and forth), and the operator's
 * {@link TableUpdater} (translate with its cache, hash, publish) and the data plane's compilation
 * with the router in force take it over.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class TranslationBenchmark {

  @Param("10000")
  int ingresses;

  ClusterState state;
  Settings settings;
  RoutingTable table;
  /** The state, and the same state with one Ingress's host renamed: every other record the same object. */
  ClusterState[] states;
  int turn;
  TableUpdater updater;
  Router router;

  @Setup
  public void setUp() {
    List<IngressInfo> ingressList = new ArrayList<>();
    List<ServiceInfo> services = new ArrayList<>();
    List<EndpointSliceInfo> slices = new ArrayList<>();
    for (int i = 0; i < ingresses; i++) {
      String namespace = "ns-" + (i % 100);
      String name = "app-" + i;
      BackendRef backend = new BackendRef(name, 80, null);
      List<IngressInfo.HttpPath> paths = List.of(
          new IngressInfo.HttpPath("/", "Prefix", backend),
          new IngressInfo.HttpPath("/api/v" + (i % 3), "Prefix", backend),
          new IngressInfo.HttpPath("/health", "Exact", backend));
      ingressList.add(new IngressInfo(new ObjectRef("Ingress", namespace, name), Instant.ofEpochSecond(i), "clb",
          Map.of("clb.ingress.io/proxy-read-timeout", "900s"), null,
          List.of(new IngressInfo.Rule(name + ".example.com", paths)), List.of()));
      services.add(new ServiceInfo(new ObjectRef("Service", namespace, name), Map.of(),
          List.of(new ServiceInfo.Port("http", 80))));
      slices.add(new EndpointSliceInfo(new ObjectRef("EndpointSlice", namespace, name + "-abc"), name,
          List.of(new EndpointSliceInfo.Port("http", 8080)),
          List.of(endpoint(i, 1), endpoint(i, 2), endpoint(i, 3))));
    }
    state = new ClusterState(ingressList, List.of(), services, slices, List.of(), List.of());
    settings = Settings.defaults();
    table = rebuild();
    List<IngressInfo> changed = new ArrayList<>(ingressList);
    IngressInfo one = changed.get(ingresses / 2);
    changed.set(ingresses / 2, new IngressInfo(one.ref(), one.created(), one.className(), one.annotations(),
        one.defaultBackend(), List.of(new IngressInfo.Rule("renamed.example.com", one.rules().get(0).paths())), one.tls()));
    states = new ClusterState[] {state, new ClusterState(changed, List.of(), services, slices, List.of(), List.of())};
    updater = new TableUpdater(settings, published -> { }, translation -> { });
    router = Router.compile(updater.update(state));
  }

  @Benchmark
  public Router oneChange() {
    turn ^= 1;
    router = Router.compile(updater.update(states[turn]), load, health, router);
    return router;
  }

  final EndpointLoad load = new EndpointLoad();
  final EndpointHealth health = new EndpointHealth();

  private static EndpointSliceInfo.Endpoint endpoint(int i, int n) {
    return new EndpointSliceInfo.Endpoint(List.of("10." + (i / 65536) + "." + (i / 256 % 256) + "." + n), true);
  }

  @Benchmark
  public RoutingTable rebuild() {
    Translation translation = Translator.translate(state, settings, Map.of(), java.time.Instant.now());
    return TableCodec.stamp(translation.table(), 1);
  }

  @Benchmark
  public Router compile() {
    return Router.compile(table);
  }
}
