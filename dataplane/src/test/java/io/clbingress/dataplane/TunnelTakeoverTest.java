package io.clbingress.dataplane;

import static io.clbingress.dataplane.Tables.table;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket tunnels taken over at the Netty level: the bytes a backend sends together with its
 * 101 reach the client, bytes pass both ways after the takeover, an idle tunnel keeps none of
 * Vert.x's per-connection objects, and the answers of a backend that does not upgrade are relayed
 * (or refused with 502 when they are not HTTP). Clients and backends here are plain
 * {@code java.net} sockets, so that every Vert.x object on the heap is the data plane's.
 */
class TunnelTakeoverTest {

  private static final String HOST = "chat.example.com";
  private static final String UPGRADE = "GET /room HTTP/1.1\r\nHost: " + HOST + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

  DataPlaneHarness harness;
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : closeAfter) {
      closeable.close();
    }
    harness.close();
  }

  /** graphql-ws and STOMP servers may greet at once: the greeting can share a TCP segment with the 101. */
  @Test
  void serverGreetingInTheSameSegmentAsThe101ReachesTheClient() throws Exception {
    HoldingBackend backend = backend(SWITCHING + "greeting-from-the-backend");
    Socket client = upgradedClient();
    assertThat(readExactly(client.getInputStream(), "greeting-from-the-backend".length()))
        .isEqualTo("greeting-from-the-backend");
    // And after the takeover bytes pass both ways
    client.getOutputStream().write("from-the-client".getBytes(StandardCharsets.ISO_8859_1));
    Socket backendSide = backend.accepted(0);
    assertThat(readExactly(backendSide.getInputStream(), "from-the-client".length())).isEqualTo("from-the-client");
    backendSide.getOutputStream().write("from-the-backend".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(readExactly(client.getInputStream(), "from-the-backend".length())).isEqualTo("from-the-backend");
  }

  @Test
  void aMegabyteEachWayPassesIntactThroughOneTunnel() throws Exception {
    HoldingBackend backend = backend(SWITCHING);
    Socket client = upgradedClient();
    Socket backendSide = backend.accepted(0);
    byte[] up = pattern(1 << 20, 7);
    byte[] down = pattern(1 << 20, 13);
    // Both sides write at once, so that each direction's back-pressure is exercised.
    Thread downWriter = writer(backendSide, down);
    Thread upWriter = writer(client, up);
    assertThat(client.getInputStream().readNBytes(down.length)).isEqualTo(down);
    assertThat(backendSide.getInputStream().readNBytes(up.length)).isEqualTo(up);
    downWriter.join();
    upWriter.join();
  }

  @Test
  void idleTunnelsKeepNoVertxConnectionAlive() throws Exception {
    HoldingBackend backend = backend(SWITCHING);
    int tunnels = 300;
    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < tunnels; i++) {
      clients.add(upgradedClient());
    }
    backend.accepted(tunnels - 1);
    // Every tunnel works...
    for (int i = 0; i < tunnels; i += 50) {
      clients.get(i).getOutputStream().write('x');
      assertThat(backend.accepted(i).getInputStream().read()).isEqualTo('x');
    }
    // ...and none keeps Vert.x's connection, socket or request objects (before the takeover each
    // tunnel kept an HTTP connection, two sockets and the upgrade exchange: 24 KiB).
    LiveObjects live = LiveObjects.now();
    // Nor the HTTP/1.x handler of the plain listener's upgrade (its close listener kept it, 0.8 KiB each),
    // a Vert.x context of its own (made for the backend's connect when none was current: 0.3 KiB each),
    // nor Vert.x's ChunkedWriteHandler in the backend's pipeline.
    for (String vertxClass : List.of("io.vertx.core.http.impl.Http1xServerConnection",
        "io.vertx.core.http.impl.Http1xServerRequest", "io.vertx.core.net.impl.NetSocketImpl",
        "io.clbingress.dataplane.proxy.ClientConnection", "io.vertx.core.impl.ContextImpl",
        "io.netty.handler.stream.ChunkedWriteHandler")) {
      assertThat(live.instances(vertxClass)).as(vertxClass + " live with %d tunnels open", tunnels)
          .isLessThan(tunnels / 10);
    }
    assertThat(live.socketChannels())
        .as("channels: two per tunnel").isGreaterThanOrEqualTo(2 * tunnels);
  }

  @Test
  void refusalWithABodyIsRelayedWhole() throws Exception {
    String page = "<html>sign in first</html>";
    backend("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"chat\"\r\nContent-Length: " + page.length()
        + "\r\n\r\n" + page);
    try (RawHttp.Open client = new RawHttp.Open(harness.dataPlane.httpPort())) {
      RawHttp.Reply answer = client.send(UPGRADE);
      assertThat(answer.status()).isEqualTo(401);
      assertThat(answer.header("www-authenticate")).isEqualTo("Basic realm=\"chat\"");
      assertThat(answer.text()).endsWith("\r\n\r\n" + page);
    }
  }

  @Test
  void anAnswerThatIsNotHttpIs502() throws Exception {
    backend("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    try (RawHttp.Open client = new RawHttp.Open(harness.dataPlane.httpPort())) {
      assertThat(client.send(UPGRADE).status()).isEqualTo(502);
    }
  }

  private HoldingBackend backend(String answer) throws IOException {
    HoldingBackend backend = new HoldingBackend(answer);
    closeAfter.add(backend);
    harness.apply(table(1).cluster("chat", backend.port()).prefix(HOST, "/", "chat").build());
    return backend;
  }

  /** A client whose upgrade was answered 101; its input stream is positioned after the head. */
  private Socket upgradedClient() throws IOException {
    Socket client = new Socket(InetAddress.getLoopbackAddress(), harness.dataPlane.httpPort());
    closeAfter.add(client);
    client.setSoTimeout(20_000);
    client.getOutputStream().write(UPGRADE.getBytes(StandardCharsets.ISO_8859_1));
    String head = RawHttp.readHead(client.getInputStream());
    assertThat(head).startsWith("HTTP/1.1 101");
    return client;
  }

  private static Thread writer(Socket socket, byte[] bytes) {
    Thread thread = new Thread(() -> {
      try {
        socket.getOutputStream().write(bytes);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    thread.start();
    return thread;
  }

  private static String readExactly(InputStream in, int length) throws IOException {
    return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  private static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * seed + (i >> 11));
    }
    return bytes;
  }

  /**
   * A backend that reads each connection's request head, writes one fixed answer and keeps the
   * connection open (accepting on its own thread, one connection after another).
   */
  private static final class HoldingBackend implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    HoldingBackend(String answer) throws IOException {
      Thread thread = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            socket.setSoTimeout(20_000);
            RawHttp.readHead(socket.getInputStream());
            ScriptedBackend.write(socket, answer);
            accepted.add(socket);
          } catch (IOException e) {
            // closed
          }
        }
      }, "holding-backend");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    /** The connection accepted {@code index}-th, waiting for it as long as it takes to arrive. */
    Socket accepted(int index) {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() > index);
      return accepted.get(index);
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }
}
