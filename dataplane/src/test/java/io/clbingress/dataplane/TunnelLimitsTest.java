package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.RawHttp.Upgrade;
import io.clbingress.dataplane.table.TunnelLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link TunnelLimits} (clb.ingress.io/max-tunnels and max-tunnels-per-client): real
 * WebSocket upgrades from clients on 127.0.0.x; an upgrade over a cap is 503 and never reaches the
 * backend; a closed tunnel gives its place back; the counts hold nothing once every tunnel closed.
 */
class TunnelLimitsTest {

  static DataPlaneHarness harness;
  static TestBackend backend;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    backend = harness.backend("ws");
    harness.apply(table(1).cluster("ws", backend.port())
        .route("capped.test", Tables.filtered("ws", new TunnelLimits(3, 2))).build());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static Upgrade upgrade(String from) throws Exception {
    return RawHttp.upgradeFrom(from, harness.dataPlane.httpPort(), "capped.test");
  }

  @Test
  void upgradesOverACapAre503AndAClosedTunnelGivesItsPlaceBack() throws Exception {
    List<Upgrade> open = new ArrayList<>();
    int reachedBefore = backend.uris.size();
    // per client: 2
    open.add(upgrade("127.0.0.2"));
    open.add(upgrade("127.0.0.2"));
    Upgrade third = upgrade("127.0.0.2");
    assertThat(List.of(open.get(0).status(), open.get(1).status(), third.status())).containsExactly(101, 101, 503);
    third.socket().close();
    // per source: 3
    open.add(upgrade("127.0.0.3"));
    Upgrade fourth = upgrade("127.0.0.4");
    assertThat(open.get(2).status()).isEqualTo(101);
    assertThat(fourth.status()).isEqualTo(503);
    fourth.socket().close();
    assertThat(backend.uris.size() - reachedBefore).as("the refused upgrades never reached the backend").isEqualTo(3);
    // a tunnel closes: its place is free again
    open.remove(0).socket().close();
    await().atMost(Duration.ofSeconds(10)).until(() -> backend.openWebSockets.get() == 2);
    Upgrade again = upgrade("127.0.0.2");
    assertThat(again.status()).isEqualTo(101);
    open.add(again);
    for (Upgrade upgrade : open) {
      upgrade.socket().close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.tunnelCapEntries() == 0);
  }

  @Test
  void wrongCapsAreRefusedWhereTheTableIsMade() {
    assertThatThrownBy(() -> new TunnelLimits(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TunnelLimits(-1, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TunnelLimits(TunnelLimits.MAX + 1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
