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
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listeners with their own port (CLBListeners) open and close with the routing table. A removed
 * listener's port stops accepting at once, while the connections open on it go on until the
 * drain period ends.
 */
class ListenerPortsTest {

  /** Longer than any test: whatever a test sees of a removed port, it sees before its drain ends. */
  private static final Duration LONG_DRAIN = Duration.ofSeconds(120);

  DataPlaneHarness harness;
  TestBackend chat;
  TestBackend web;
  /** Kept for the test: Vert.x closes a client that became garbage, with its connections. */
  NetClient tcp;
  int echoPort;
  int port;
  int tcpPort;

  void start(Duration drain) throws Exception {
    harness = new DataPlaneHarness(drain);
    chat = harness.backend("chat");
    web = harness.backend("web");
    tcp = harness.vertx.createNetClient();
    echoPort = DataPlaneHarness.freePort();
    DataPlaneHarness.await(harness.vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(echoPort))
        .connectHandler(socket -> socket.handler(socket::write)).listen());
    port = DataPlaneHarness.freePort();
    tcpPort = DataPlaneHarness.freePort();
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void listenerPortServesItsOwnRoutesAndClosesAfterTheDrainWhenRemoved() throws Exception {
    start(Duration.ofSeconds(1));
    // Given a table with the default listener and one on its own port
    harness.apply(table(1, true, "/"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
    // Then each port serves its own listener
    assertThat(body(port, "/x")).isEqualTo("chat");
    assertThat(harness.get("any.example.com", "/x").body()).isEqualTo("web");
    // Given a WebSocket, an idle keep-alive connection and a TCP tunnel on the listeners' ports
    WebSocket ws = webSocket(port);
    AtomicBoolean closed = new AtomicBoolean();
    ws.closeHandler(v -> closed.set(true));
    HttpClientConnection keepAlive = keepAlive(port);
    AtomicBoolean keepAliveClosed = new AtomicBoolean();
    keepAlive.closeHandler(v -> keepAliveClosed.set(true));
    NetSocket tunnel = tcpTunnel();
    AtomicBoolean tunnelClosed = new AtomicBoolean();
    tunnel.closeHandler(v -> tunnelClosed.set(true));
    assertThat(harness.exchange(tunnel, "open\n")).isEqualTo("open\n");
    // When the listener's rules change, Then nothing is re-bound and the connections stay
    harness.apply(table(2, true, "/"));
    assertThat(harness.dataPlane.listenerPorts()).containsExactlyInAnyOrder(port, tcpPort);
    assertThat(closed.get() || keepAliveClosed.get() || tunnelClosed.get()).isFalse();
    // When the listeners are removed, Then their connections are closed when the drain period ends
    harness.apply(table(3, false, "/"));
    await().atMost(Duration.ofSeconds(15)).until(() -> closed.get() && keepAliveClosed.get() && tunnelClosed.get());
    assertThat(harness.dataPlane.listenerPorts()).isEmpty();
    assertThat(status(port, "/x")).isEqualTo(-1);
    assertThat(harness.get("any.example.com", "/x").body()).isEqualTo("web");
  }

  @Test
  void removedPortRefusesNewConnectionsAtOnceWhileOpenOnesGoOnUntilTheDrainEnds() throws Exception {
    startServing(LONG_DRAIN);
    // Given a keep-alive connection that was answered, a WebSocket and a TCP tunnel
    HttpClientConnection keepAlive = keepAlive(port);
    assertThat(answer(keepAlive, "/before")).isEqualTo("200 chat keep-alive");
    WebSocket ws = webSocket(port);
    assertThat(DataPlaneHarness.exchange(ws, "before")).isEqualTo("chat:before");
    NetSocket tunnel = tcpTunnel();
    assertThat(harness.exchange(tunnel, "before\n")).isEqualTo("before\n");
    // When the listeners are removed (a drain period far longer than the test), Then both ports
    // refuse new connections, long before the drain ends
    removeListeners(2);
    assertThat(harness.dataPlane.listenerPorts()).isEmpty();
    // And the open connections go on: the WebSocket and the tunnel pass bytes both ways
    assertThat(DataPlaneHarness.exchange(ws, "draining")).isEqualTo("chat:draining");
    assertThat(harness.exchange(tunnel, "draining\n")).isEqualTo("draining\n");
    // And the keep-alive connection is answered by the listener it was opened on, told to close after
    assertThat(answer(keepAlive, "/after")).isEqualTo("200 chat close");
    assertThat(chat.uris).contains("/after");
  }

  @Test
  void portReAddedDuringTheDrainServesAgain() throws Exception {
    startServing(LONG_DRAIN);
    WebSocket ws = webSocket(port);
    NetSocket tunnel = tcpTunnel();
    assertThat(harness.exchange(tunnel, "before\n")).isEqualTo("before\n");
    removeListeners(2);
    // When the listeners come back while their old servers drain, Then the ports serve new connections
    harness.apply(table(3, true, "/"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
    NetSocket again = tcpTunnel();
    assertThat(harness.exchange(again, "new\n")).isEqualTo("new\n");
    assertThat(harness.dataPlane.listenerPorts()).containsExactlyInAnyOrder(port, tcpPort);
    // And the connections opened before the removal still pass bytes
    assertThat(DataPlaneHarness.exchange(ws, "old")).isEqualTo("chat:old");
    assertThat(harness.exchange(tunnel, "old\n")).isEqualTo("old\n");
  }

  /**
   * Vert.x shares one listening socket per host and port, and closes it on its one acceptor
   * thread. Held there, the removed port's socket is still closing when the port comes back: new
   * servers that listened then would join it and be left with no socket once it closed. They
   * wait for it instead, and then bind a socket of their own.
   */
  @Test
  void portReAddedWhileItsOldSocketIsStillClosingGetsASocketOfItsOwn() throws Exception {
    startServing(LONG_DRAIN);
    CountDownLatch acceptor = new CountDownLatch(1);
    ((VertxInternal) harness.vertx).acceptorEventLoopGroup().next().execute(() -> {
      try {
        acceptor.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try (LogCapture log = new LogCapture()) {
      harness.apply(table(2, false, "/"));
      harness.apply(table(3, true, "/"));
      // The new servers either joined the closing socket (and are open) or wait for it
      await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().contains(port)
          || log.lines().stream().anyMatch(line -> line.contains(port + " waits for its previous servers")));
    } finally {
      acceptor.countDown();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
    assertThat(harness.exchange(tcpTunnel(), "own socket\n")).isEqualTo("own socket\n");
  }

  /**
   * Removed and re-added with no pause, again and again: each new generation of servers must get
   * a listening socket of its own, not join the previous one's while that is being closed.
   */
  @Test
  void portRemovedAndReAddedInQuickSuccessionAlwaysServes() throws Exception {
    start(LONG_DRAIN);
    long version = 1;
    for (int round = 0; round < 15; round++) {
      harness.apply(table(version++, true, "/"));
      await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
      NetSocket tunnel = tcpTunnel();
      assertThat(harness.exchange(tunnel, "round " + round + "\n")).isEqualTo("round " + round + "\n");
      harness.apply(table(version++, false, "/"));
    }
    harness.apply(table(version, true, "/"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
  }

  /**
   * A plain HTTP port has a listening socket per event loop (the per-loop accept), closed on each
   * loop a moment after its drain began. A port removed and brought back at once as a TCP listener,
   * and back again as HTTP, waits for those sockets before the other protocol's server binds:
   * otherwise the new server fails with "Address already in use" and the listener does not serve.
   */
  @Test
  void portThatTurnsFromHttpToTcpAndBackServesEachTime() throws Exception {
    start(LONG_DRAIN);
    long version = 1;
    for (int round = 0; round < 10; round++) {
      String first = "round " + round;
      String second = "again " + round;
      // removed, then back at once as the other protocol (the drain path), then switched in place
      harness.apply(table(version++, false, "/"));
      harness.apply(switched(version++, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
      harness.apply(table(version++, false, "/"));
      harness.apply(switched(version++, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> echoes(port, first));
      harness.apply(switched(version++, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
      harness.apply(switched(version++, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> echoes(port, second));
    }
  }

  /**
   * PROXY protocol on or off is part of a port's server, as its protocol is: a table that turns it
   * on makes the port take a header first (and close connections without one), and back.
   */
  @Test
  void portThatTurnsProxyProtocolOnAndOffServesEachWay() throws Exception {
    start(LONG_DRAIN);
    long version = 1;
    for (int round = 0; round < 3; round++) {
      harness.apply(withProxyProtocol(switched(version++, false), false));
      await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
      harness.apply(withProxyProtocol(switched(version++, false), true));
      await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == -1
          && status(port, "PROXY TCP4 192.0.2.1 127.0.0.1 5555 80\r\n", "/x") == 200);
    }
  }

  /**
   * Two listeners of one table on one port (a table the translation never makes: the younger
   * CLBListener gets PortConflict, but a hand-made one can): the first in the table serves the
   * port, both its socket's protocol and its routes, and a warning names both listeners.
   */
  @Test
  void twoListenersOnOnePortTheFirstServesAndAWarningNamesBoth() throws Exception {
    start(LONG_DRAIN);
    Listener http = new Listener("apps/first-http", Protocol.HTTP, port, List.of(new VirtualHost("*",
        List.of(new Route(new PathMatch.Prefix("/"), "chat", Tables.DEFAULT_TIMEOUTS, "test")))), null);
    Listener tcpListener = new Listener("apps/second-tcp", Protocol.TCP, port, List.of(),
        new Route(new PathMatch.Prefix("/"), "echo", Tables.DEFAULT_TIMEOUTS, "test"));
    RoutingTable base = table(1, false, "/");
    try (LogCapture log = new LogCapture()) {
      harness.apply(withListeners(base, 1, http, tcpListener));
      await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
      assertThat(chat.uris).contains("/x");
      assertThat(log.lines()).anyMatch(line -> line.contains("listeners apps/first-http and apps/second-tcp are both on port "
          + port + ": the port serves apps/first-http only"));
    }
    // the other order: the TCP listener serves, as a TCP port
    harness.apply(withListeners(base, 2, tcpListener, http));
    await().atMost(Duration.ofSeconds(10)).until(() -> echoes(port, "second first"));
  }

  /** {@code base} (version {@code version}) with {@code added} after its listeners, in that order. */
  private static RoutingTable withListeners(RoutingTable base, long version, Listener... added) {
    List<Listener> listeners = new ArrayList<>(base.listeners());
    listeners.addAll(List.of(added));
    return TableCodec.stamp(RoutingTable.unpublished(listeners, base.clusters()), version);
  }

  /** {@code table} with the listener on {@code port} taking PROXY protocol headers or not. */
  private RoutingTable withProxyProtocol(RoutingTable table, boolean on) {
    List<Listener> listeners = table.listeners().stream()
        .map(l -> l.port() == port ? l.withProxyProtocol(on, null) : l).toList();
    return TableCodec.stamp(RoutingTable.unpublished(listeners, table.clusters()), table.version());
  }

  /** Whether a new connection to the port passes a line to the echo server and back. */
  private static boolean echoes(int toPort, String line) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", toPort), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] back = socket.getInputStream().readNBytes(line.length() + 1);
      return new String(back, java.nio.charset.StandardCharsets.US_ASCII).equals(line + "\n");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The table with {@code port} as an HTTP listener to chat, or (tcp) as a TCP listener to the echo server. */
  private RoutingTable switched(long version, boolean tcp) {
    RoutingTable base = table(version, false, "/");
    List<Listener> listeners = new ArrayList<>(base.listeners());
    listeners.add(tcp
        ? new Listener("apps/switch", Protocol.TCP, port, List.of(),
            new Route(new PathMatch.Prefix("/"), "echo", Tables.DEFAULT_TIMEOUTS, "test"))
        : new Listener("apps/switch", Protocol.HTTP, port, List.of(new VirtualHost("*",
            List.of(new Route(new PathMatch.Prefix("/"), "chat", Tables.DEFAULT_TIMEOUTS, "test")))), null));
    return TableCodec.stamp(RoutingTable.unpublished(listeners, base.clusters()), version);
  }

  /** A data plane serving the default listener, the HTTP listener on {@code port} and the TCP one on {@code tcpPort}. */
  private void startServing(Duration drain) throws Exception {
    start(drain);
    harness.apply(table(1, true, "/"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(port, "/x") == 200);
  }

  /** Applies a table without the two listeners, and waits until their ports refuse connections. */
  private void removeListeners(long version) {
    harness.apply(table(version, false, "/"));
    await().atMost(Duration.ofSeconds(10)).until(() -> refused(port) && refused(tcpPort));
  }

  private RoutingTable table(long version, boolean withListeners, String path) {
    List<Cluster> clusters = List.of(
        new Cluster("chat", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", chat.port()))),
        new Cluster("web", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", web.port()))),
        new Cluster("echo", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", echoPort))));
    List<Listener> listeners = new ArrayList<>();
    listeners.add(new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, List.of(
        new VirtualHost("*", List.of(new Route(new PathMatch.Prefix("/"), "web", Tables.DEFAULT_TIMEOUTS, "test")))), null));
    if (withListeners) {
      listeners.add(new Listener("apps/chat-v" + version, Protocol.HTTP, port, List.of(
          new VirtualHost("*", List.of(new Route(new PathMatch.Prefix(path), "chat", Tables.DEFAULT_TIMEOUTS, "test")))),
          null));
      listeners.add(new Listener("apps/echo", Protocol.TCP, tcpPort, List.of(),
          new Route(new PathMatch.Prefix("/"), "echo", Tables.DEFAULT_TIMEOUTS, "test")));
    }
    return TableCodec.stamp(RoutingTable.unpublished(listeners, clusters), version);
  }

  private WebSocket webSocket(int toPort) throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> harness.webSockets.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(toPort).setURI("/ws").putHeader("host", "chat.example.com"))));
  }

  /**
   * A new connection to the TCP listener. Tests pass bytes through it before they remove the
   * listener: that shows the server took it, and one still in the kernel's accept queue when the
   * listening socket closes is reset (as with any server that stops listening).
   */
  private NetSocket tcpTunnel() throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> tcp.connect(tcpPort, "127.0.0.1")));
  }

  /** One connection of its own, so that a request sent on it later goes on this very connection. */
  private HttpClientConnection keepAlive(int toPort) throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> harness.http.connect(
        new HttpConnectOptions().setHost("127.0.0.1").setPort(toPort))));
  }

  /** Status, body and the Connection header (keep-alive when absent) of a request on {@code connection}. */
  private String answer(HttpClientConnection connection, String path) throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> connection.request(new RequestOptions().setURI(path)
            .putHeader("host", "chat.example.com"))
        .compose(request -> request.send())
        .compose(r -> r.body().map(b -> r.statusCode() + " " + b + " "
            + java.util.Objects.requireNonNullElse(r.getHeader("connection"), "keep-alive")))));
  }

  /** Whether a plain connect to the port is refused (nothing listens). */
  private static boolean refused(int toPort) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", toPort), 5_000);
      return false;
    } catch (ConnectException e) {
      return true;
    }
  }

  /** The status of a request on a new connection (never a pooled one, which may be a draining server's); -1 when none comes. */
  private static int status(int toPort, String path) {
    return status(toPort, "", path);
  }

  /** As {@link #status(int, String)}, with {@code prefix} (a PROXY protocol header) written first. */
  private static int status(int toPort, String prefix, String path) {
    try {
      return RawHttp.exchange(toPort, prefix + "GET " + path
          + " HTTP/1.1\r\nHost: chat.example.com\r\nConnection: close\r\n\r\n", 5_000).status();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private String body(int toPort, String path) throws Exception {
    return DataPlaneHarness.await(harness.onContext(() -> harness.http.request(new RequestOptions()
            .setHost("127.0.0.1").setPort(toPort).setURI(path))
        .compose(r -> r.send()).compose(r -> r.body().map(Object::toString))));
  }

}
