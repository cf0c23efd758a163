package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listeners with their own port (CLBListeners) open and close with the routing table. */
class ListenerPortsTest {

  DataPlaneHarness harness;
  TestBackend chat;
  TestBackend web;
  int port;

  @BeforeEach
  void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    chat = harness.backend("chat");
    web = harness.backend("web");
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void listenerPortServesItsOwnRoutesAndClosesAfterTheDrainWhenRemoved() throws Exception {
    // Given a table with the default listener and one on its own port
    harness.apply(table(1, true, "/"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
    // Then each port serves its own listener
    assertThat(body(port, "/x")).isEqualTo("chat");
    assertThat(harness.get("any.example.com", "/x").body()).isEqualTo("web");
    // Given a WebSocket on the listener's port
    WebSocket ws = DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws").putHeader("host", "chat.example.com"))));
    AtomicBoolean closed = new AtomicBoolean();
    ws.closeHandler(v -> closed.set(true));
    // When the listener's rules change, Then nothing is re-bound and the WebSocket stays
    harness.apply(table(2, true, "/"));
    assertThat(harness.dataPlane.listenerPorts()).containsExactly(port);
    assertThat(closed.get()).isFalse();
    // When the listener is removed, Then its port closes after the drain period, the WebSocket with it
    harness.apply(table(3, false, "/"));
    await().atMost(Duration.ofSeconds(15)).until(() -> closed.get() && harness.dataPlane.listenerPorts().isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == -1);
    assertThat(harness.get("any.example.com", "/x").body()).isEqualTo("web");
  }

  private RoutingTable table(long version, boolean withListener, String path) {
    List<Cluster> clusters = List.of(
        new Cluster("chat", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", chat.port()))),
        new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", web.port()))));
    List<Listener> listeners = new ArrayList<>();
    listeners.add(new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(
        new VirtualHost("*", List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "test")))), null));
    if (withListener) {
      listeners.add(new Listener("apps/chat-v" + version, Protocol.HTTP, port, List.of(
          new VirtualHost("*", List.of(new Route(new PathMatch.Prefix(path), "chat", Tables.DEFAULT_TIMEOUTS, "test")))),
          null));
    }
    return TableCodec.stamp(RoutingTable.unpublished(listeners, clusters), version);
  }

  private int status(int toPort, String path) {
    try {
      return DataPlaneHarness.await(harness.onContext(() -> harness.http.request(new RequestOptions()
              .setHost("127.0.0.1").setPort(toPort).setURI(path))
          .compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode()))));
    } catch (Exception e) {
      return -1;
    }
  }

  private String body(int toPort, String path) throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> harness.http.request(new RequestOptions()
            .setHost("127.0.0.1").setPort(toPort).setURI(path))
        .compose(r -> r.send()).compose(r -> r.body().map(Object::toString))));
  }
}
