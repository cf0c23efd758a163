package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.clbingress.dataplane.tls.TlsEngine;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How large a request head the listeners take (issue 11, item 8), sent byte for byte over raw
 * sockets: by default 16 KiB per request line and 64 KiB of headers (more than nginx's 8 KiB and
 * 32 KiB, and Envoy's 60 KiB), so long signed URLs and cookie-heavy browsers are served; over a
 * limit 414 or 431, the connection closed, and nothing reaches the backend. A listener's own
 * limits ({@code spec.defaults.maxRequestLineBytes}, {@code maxHeaderBytes}) replace the flags'.
 */
class HeadLimitsTest {

  static final String HOST = "app.example.test";
  static final ClientLimits SMALL = new ClientLimits(75_000, 60_000, 0, 1024, 4096);
  static final List<VirtualHost> HOSTS = List.of(new VirtualHost("*", List.of(
      new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS, "test"))));
  static DataPlaneHarness harness;
  static TestBackend backend;
  static int small;
  static int changing;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    backend = harness.largeHeadBackend("app");
    small = DataPlaneHarness.freePort();
    changing = DataPlaneHarness.freePort();
    harness.apply(table(1, SMALL));
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts().containsAll(List.of(small, changing)));
  }

  @BeforeEach
  void forget() {
    backend.uris.clear();
    backend.heads.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  /** The default HTTP listener; {@code small} with {@link #SMALL}; {@code changing} with {@code changingLimits}. */
  private static RoutingTable table(long version, ClientLimits changingLimits) {
    return table(version, new Listener("apps/small", Protocol.HTTP, small, HOSTS, null, null, SMALL),
        new Listener("apps/changing", Protocol.HTTP, changing, HOSTS, null, null, changingLimits));
  }

  /** Every host and path of {@code listeners} and of the default HTTP listener to the backend. */
  private static RoutingTable table(long version, Listener... listeners) {
    Cluster cluster = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port())));
    List<Listener> all = new java.util.ArrayList<>(List.of(listeners));
    all.add(0, new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, HOSTS, null));
    return TableCodec.stamp(RoutingTable.unpublished(all, List.of(cluster)), version);
  }

  /** A request target of exactly {@code bytes} bytes, shaped like a presigned object URL. */
  static String signedUrl(int bytes) {
    String prefix = "/bucket/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=";
    return prefix + "f".repeat(bytes - prefix.length());
  }

  /** A Cookie header value of at least {@code bytes} bytes (and under 1,002 more): cookies of 1,000 bytes each. */
  static String cookies(int bytes) {
    return IntStream.range(0, (bytes + 1001) / 1002).mapToObj(i -> "c" + (100 + i) + "=" + "v".repeat(996))
        .collect(Collectors.joining("; "));
  }

  private static String get(String target, String headers) {
    return "GET " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + headers + "Connection: close\r\n\r\n";
  }

  private static RawHttp.Reply send(int port, String request) throws Exception {
    return RawHttp.exchange(port, request, 10_000);
  }

  private static int defaultPort() {
    return harness.dataPlane.httpPort();
  }

  @Test
  void longSignedUrlOf7000BytesIsServed() throws Exception {
    String target = signedUrl(7000);
    RawHttp.Reply reply = RawHttp.get(defaultPort(), HOST, target);
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(backend.uris).containsExactly(target);
  }

  @Test
  void cookieHeavyBrowserWith20KbOfHeadersIsServed() throws Exception {
    String cookie = cookies(20_000);
    assertThat(cookie.length()).isGreaterThan(19_000);
    RawHttp.Reply reply = send(defaultPort(), get("/account", "User-Agent: Mozilla/5.0\r\nCookie: " + cookie + "\r\n"));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(backend.heads).hasSize(1);
    assertThat(backend.heads.get(0).get("cookie")).isEqualTo(cookie);
  }

  /** The head is still incomplete when the answer comes: the limit is enforced as the bytes arrive. */
  @Test
  void requestLineOverTheDefault16KiBGets414BeforeTheHeadEndsAndNothingReachesTheBackend() throws Exception {
    RawHttp.Reply reply = send(defaultPort(), "GET " + signedUrl(17_000));
    assertThat(reply.status()).as(reply.text()).isEqualTo(414);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void headersOverTheDefault64KiBGet431BeforeTheHeadEndsAndNothingReachesTheBackend() throws Exception {
    RawHttp.Reply reply = send(defaultPort(), "GET / HTTP/1.1\r\nHost: " + HOST + "\r\nCookie: " + cookies(70_000) + "\r\n");
    assertThat(reply.status()).as(reply.text()).isEqualTo(431);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void listenerWithSmallLimitsServesHeadsWithinThem() throws Exception {
    RawHttp.Reply reply = send(small, get(signedUrl(900), "Cookie: " + cookies(3000) + "\r\n"));
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(backend.uris).containsExactly(signedUrl(900));
  }

  @Test
  void listenerWithSmallLimitsAnswers414ToATargetOverItsLine() throws Exception {
    RawHttp.Reply reply = send(small, get(signedUrl(1100), ""));
    assertThat(reply.status()).as(reply.text()).isEqualTo(414);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void listenerWithSmallLimitsAnswers431ToHeadersOverItsBlock() throws Exception {
    RawHttp.Reply reply = send(small, get("/", "Cookie: " + cookies(5000) + "\r\n"));
    assertThat(reply.status()).as(reply.text()).isEqualTo(431);
    assertThat(reply.closedByServer()).isTrue();
    assertThat(backend.uris).isEmpty();
  }

  /**
   * Netty's counting: the request line without its CRLF; the header lines without their CRLFs,
   * summed. A head exactly at a limit passes; one byte more is refused.
   */
  @Test
  void limitsAreInclusiveAndCountBytesWithoutLineEnds() throws Exception {
    String line1024 = signedUrl(1024 - "GET  HTTP/1.1".length());
    String cookie4096 = "x".repeat(4096 - ("Host: " + HOST).length() - "Connection: close".length() - "Cookie: ".length());
    assertThat(send(small, get(line1024, "")).status()).isEqualTo(200);
    assertThat(send(small, get(line1024 + "f", "")).status()).isEqualTo(414);
    assertThat(send(small, get("/", "Cookie: " + cookie4096 + "\r\n")).status()).isEqualTo(200);
    assertThat(send(small, get("/", "Cookie: " + cookie4096 + "x\r\n")).status()).isEqualTo(431);
  }

  /**
   * A change of a listener's limits reaches connections opened after it; a connection already open
   * keeps its limits and is not dropped (the server is not restarted).
   */
  @Test
  void limitChangeReachesNewConnectionsAndKeepsOpenOnes() throws Exception {
    String longer = signedUrl(2000);
    try (RawHttp.Open before = new RawHttp.Open(changing)) {
      assertThat(before.send("GET /first HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").status()).isEqualTo(200);
      harness.apply(table(2, new ClientLimits(75_000, 60_000, 0, 8192, 4096)));
      RawHttp.Reply same = before.send("GET /second HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
      assertThat(same.status()).as(same.text()).isEqualTo(200);
      assertThat(same.closedByServer()).isFalse();
      RawHttp.Reply newLimits = RawHttp.get(changing, HOST, longer);
      assertThat(newLimits.status()).as(newLimits.text()).isEqualTo(200);
      RawHttp.Reply oldLimits = before.send("GET " + longer + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
      assertThat(oldLimits.status()).as("the open connection keeps the limits it started with").isEqualTo(414);
    } finally {
      harness.apply(table(3, SMALL));
    }
    assertThat(backend.uris).containsExactly("/first", "/second", longer);
  }

  /**
   * {@code --max-request-line-bytes} and {@code --max-header-bytes}: the default listeners' limits,
   * and those of a listener that sets one limit only for the other.
   */
  @Test
  void flagsSetTheDefaultListenersLimitsAndFillAListenersUnsetOne() throws Exception {
    try (DataPlaneHarness flagged = new DataPlaneHarness(Duration.ofSeconds(1), TlsEngine.OPENSSL, new HeadLimits(2048, 8192))) {
      int headersOnly = DataPlaneHarness.freePort();
      flagged.apply(table(1, new Listener("apps/headers-only", Protocol.HTTP, headersOnly, HOSTS, null, null,
          new ClientLimits(75_000, 60_000, 0, 0, 32 << 10))));
      await().atMost(Duration.ofSeconds(10)).until(() -> flagged.dataPlane.listenerPorts().contains(headersOnly));
      int port = flagged.dataPlane.httpPort();
      assertThat(send(port, get(signedUrl(2100), "")).status()).isEqualTo(414);
      assertThat(send(port, get("/", "Cookie: " + cookies(9000) + "\r\n")).status()).isEqualTo(431);
      assertThat(send(port, get(signedUrl(1900), "Cookie: " + cookies(7000) + "\r\n")).status()).isEqualTo(200);
      assertThat(send(headersOnly, get(signedUrl(2100), "")).status()).isEqualTo(414);
      assertThat(send(headersOnly, get("/", "Cookie: " + cookies(20_000) + "\r\n")).status()).isEqualTo(200);
    }
  }

}
