package io.clbingress.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.ServiceInfo;
import io.clbingress.operator.translate.Settings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableUpdaterTest {

  @Test
  void publishesOnlyChangedContentWithIncreasingVersions() {
    // Given
    List<RoutingTable> published = new ArrayList<>();
    TableUpdater updater = new TableUpdater(Settings.defaults().withStaticEndpoints(true), published::add, translation -> { });
    // When the same state comes twice, then a different one
    updater.update(state("/a"));
    updater.update(state("/a"));
    updater.update(state("/b"));
    // Then
    assertThat(published).extracting(RoutingTable::version).containsExactly(1L, 2L);
    assertThat(published).allSatisfy(t -> assertThat(t.hash()).isEqualTo(TableCodec.contentHash(t)));
    assertThat(published.get(0).hash()).isNotEqualTo(published.get(1).hash());
  }

  private static ClusterState state(String path) {
    ObjectRef ref = new ObjectRef("Ingress", "default", "web");
    IngressInfo ingress = new IngressInfo(ref, Instant.EPOCH, "clb", Map.of(), null,
        List.of(new IngressInfo.Rule(null, List.of(new IngressInfo.HttpPath(path, "Prefix",
            new BackendRef("web", 80, null))))), List.of());
    ServiceInfo service = new ServiceInfo(new ObjectRef("Service", "default", "web"),
        Map.of("clb.ingress.io/static-endpoints", "127.0.0.1:9000"), List.of(new ServiceInfo.Port(null, 80)));
    return new ClusterState(List.of(ingress), List.of(), List.of(service), List.of(), List.of(), List.of());
  }
}
