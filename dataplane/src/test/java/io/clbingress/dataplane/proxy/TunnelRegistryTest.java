package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.metrics.RouteMeters;
import io.clbingress.dataplane.routing.RouteKey;
import io.clbingress.dataplane.table.Endpoint;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TunnelRegistry}: what the data plane's stop closes. */
class TunnelRegistryTest {

  private final ProxyMetrics metrics = new ProxyMetrics(() -> 0, () -> 0, () -> 0, () -> true);
  private final TunnelRegistry registry = new TunnelRegistry(metrics);

  @Test
  void closeAllClosesTheOpenTunnelsAndOneRegisteredAfterIt() {
    // Given an open tunnel
    AtomicInteger closed = new AtomicInteger();
    Tunnel before = tunnel(closed);
    registry.add(before);
    // When the data plane stops
    registry.closeAll();
    // Then it is closed
    assertThat(closed).hasValue(1);
    // When a tunnel whose handshake finished meanwhile registers
    registry.add(tunnel(closed));
    // Then it is closed too, not left open past the stop
    assertThat(closed).hasValue(2);
  }

  private Tunnel tunnel(AtomicInteger closed) {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend = new EmbeddedChannel();
    RouteMeters meters = metrics.route("Ingress/apps/web");
    return new Tunnel(Tunnel.End.of(client, List.of()), Tunnel.End.of(backend, List.of()), 60_000,
        new RouteKey("default-http", "a.example.com", new io.clbingress.dataplane.table.PathMatch.Prefix("/")),
        new Endpoint("127.0.0.1", 9), meters, RouteMeters.TunnelKind.WEBSOCKET, null, closed::incrementAndGet);
  }
}
