package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.proxy.RealIp;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.ProxyProtocolVersion;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's real address ({@code --trusted-proxies}, PROXY protocol in and out) with real
 * sockets: clients bound to 127.0.0.x addresses, trusted (127.0.0.2, 127.0.0.4, 10.0.0.0/8,
 * 2001:db8:ffff::/48) or not (127.0.0.3); PROXY headers written here byte by byte, from the
 * trusted load balancer (believed) and from an untrusted peer (read, not believed); a TCP backend
 * that decodes the header the data plane sends it by hand ({@link ProxyHeaderBackend}).
 */
class ClientAddressTest {

  private static final String HOST = "a.example.com";
  /** A host whose route redirects HTTP to HTTPS (ssl-redirect). */
  private static final String SSL_REDIRECT_HOST = "tls.example.com";
  private static final String TRUSTED = "127.0.0.2, 127.0.0.4/32, 10.0.0.0/8, 2001:db8:ffff::/48";
  private static final String TRUSTED_PEER = "127.0.0.2";
  private static final String UNTRUSTED_PEER = "127.0.0.3";
  /** The load balancer in front of the PROXY protocol listeners: a trusted proxy, whose headers are believed. */
  private static final String BALANCER = TRUSTED_PEER;
  private static final long HEADER_DEADLINE_MILLIS = 1000;

  @TempDir
  static Path dir;
  static DataPlaneHarness harness;
  static TestBackend backend;
  static List<TestBackend> hashed = new ArrayList<>();
  static ProxyHeaderBackend tcpBackend;
  static int proxyHttpPort;
  static int proxyHttpsPort;
  static int proxyTcpPort;
  static int plainTcpPort;
  static int proxyTlsPort;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Openssl.available(), "openssl and curl are needed (.ci/run installs them)");
    Openssl.certificate(dir, "server", HOST);
    harness = new DataPlaneHarness(DataPlaneOptions.loopback(Duration.ofSeconds(1))
        .withClientAddress(RealIp.parse(TRUSTED, null), false));
    backend = harness.backend("b");
    hashed.add(harness.backend("h1"));
    hashed.add(harness.backend("h2"));
    tcpBackend = new ProxyHeaderBackend();
    proxyHttpPort = DataPlaneHarness.freePort();
    proxyHttpsPort = DataPlaneHarness.freePort();
    proxyTcpPort = DataPlaneHarness.freePort();
    plainTcpPort = DataPlaneHarness.freePort();
    proxyTlsPort = DataPlaneHarness.freePort();
    harness.apply(table());
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.dataPlane.listenerPorts()
        .containsAll(List.of(proxyHttpPort, proxyHttpsPort, proxyTcpPort, plainTcpPort, proxyTlsPort)));
  }

  @AfterAll
  static void stop() throws Exception {
    DataPlaneHarness.closeAll(tcpBackend, harness);
  }

  // ---- X-Forwarded-For from trusted and untrusted peers (default HTTP listener) ----

  @Test
  void untrustedPeerCannotSpoofForwardedForOrRealIp() throws Exception {
    // When
    String answer = http(UNTRUSTED_PEER, harness.dataPlane.httpPort(), null,
        "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n");
    // Then
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo(UNTRUSTED_PEER);
    assertThat(seen(answer, "x-real-ip")).isEqualTo(UNTRUSTED_PEER);
  }

  @Test
  void trustedPeerNamesTheRightMostUntrustedEntry() throws Exception {
    String answer = fromTrustedPeer("6.6.6.6, 203.0.113.7");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("203.0.113.7");
    // what nobody trusted vouches for (6.6.6.6, left of the client) is not passed on
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo("203.0.113.7, " + TRUSTED_PEER);
  }

  /**
   * A load balancer that ended the client's TLS says so in X-Forwarded-Proto: from a trusted peer
   * it goes on to the backend, and the HTTP request is not redirected to HTTPS (the redirect loop
   * behind an L7 load balancer); from anyone else it is replaced, and the redirect stands.
   */
  @Test
  void forwardedProtoFromATrustedPeerIsBelievedAndEndsNoRedirectLoop() throws Exception {
    String trusted = http(TRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-Proto: HTTPS\r\n");
    assertThat(seen(trusted, "x-forwarded-proto")).isEqualTo("https");
    String untrusted = http(UNTRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-Proto: https\r\n");
    assertThat(seen(untrusted, "x-forwarded-proto")).isEqualTo("http");
    String odd = http(TRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-Proto: gopher\r\n");
    assertThat(seen(odd, "x-forwarded-proto")).as("neither http nor https: ignored").isEqualTo("http");
    String behindTls = http(TRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-Proto: https\r\n",
        SSL_REDIRECT_HOST);
    assertThat(seen(behindTls, "x-forwarded-proto")).isEqualTo("https");
    String plain = http(TRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-Proto: http\r\n",
        SSL_REDIRECT_HOST);
    assertThat(plain).startsWith("HTTP/1.1 308");
    String spoofed = http(UNTRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-Proto: https\r\n",
        SSL_REDIRECT_HOST);
    assertThat(spoofed).startsWith("HTTP/1.1 308");
  }

  @Test
  void severalTrustedHopsAreSkipped() throws Exception {
    String answer = fromTrustedPeer("6.6.6.6, 198.51.100.1, 10.0.0.2, 10.1.2.3");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("198.51.100.1");
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo("198.51.100.1, 10.0.0.2, 10.1.2.3, " + TRUSTED_PEER);
  }

  @Test
  void severalHeaderLinesAreOneList() throws Exception {
    String answer = http(TRUSTED_PEER, harness.dataPlane.httpPort(), null,
        "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 10.0.0.2\r\n");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("198.51.100.1");
  }

  @Test
  void allTrustedGivesTheLeftMost() throws Exception {
    String answer = fromTrustedPeer("10.0.0.1, 10.0.0.2");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("10.0.0.1");
  }

  @Test
  void malformedEntryStopsTheWalkAtTheLastGoodAddress() throws Exception {
    String answer = fromTrustedPeer("198.51.100.1, not-an-ip, 10.0.0.2");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("10.0.0.2");
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo("10.0.0.2, " + TRUSTED_PEER);
    String rightMostBad = fromTrustedPeer("198.51.100.1, unknown");
    assertThat(seen(rightMostBad, "x-real-ip")).isEqualTo(TRUSTED_PEER);
    for (String bad : List.of("1.2.3.4.5", "256.1.1.1", "01234.1.1.1", "1.2.3", "::1::2", "2001:db8::1%eth0",
        "[2001:db8::1", "1.2.3.4:99999", "localhost", " , ,")) {
      String answerForBad = fromTrustedPeer(bad);
      assertThat(seen(answerForBad, "x-real-ip")).as(bad).isEqualTo(TRUSTED_PEER);
    }
  }

  @Test
  void ipv6EntriesAndPortsAreRead() throws Exception {
    String answer = fromTrustedPeer("2001:DB8:0:0:0:0:0:1, 2001:db8:ffff::9");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("2001:db8::1");
    String bracketed = fromTrustedPeer("[2001:db8::2]:4711");
    assertThat(seen(bracketed, "x-real-ip")).isEqualTo("2001:db8::2");
    String withPort = fromTrustedPeer("198.51.100.9:5000");
    assertThat(seen(withPort, "x-real-ip")).isEqualTo("198.51.100.9");
  }

  @Test
  void ipHashKeysOnTheRealClient() throws Exception {
    // Given: one client address behind two different trusted proxies, for many client addresses
    Set<String> backendsUsed = new HashSet<>();
    for (int i = 1; i <= 16; i++) {
      String client = "198.51.100." + i;
      // When
      String viaFirst = http(TRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-For: " + client + "\r\n",
          "hash.example.com");
      String viaSecond = http("127.0.0.4", harness.dataPlane.httpPort(), null, "X-Forwarded-For: " + client + "\r\n",
          "hash.example.com");
      // Then: the same endpoint, whichever proxy it came through
      assertThat(body(viaSecond)).as(client).isEqualTo(body(viaFirst));
      backendsUsed.add(body(viaFirst));
    }
    assertThat(backendsUsed).containsExactlyInAnyOrder("h1", "h2");
  }

  @Test
  void http2FromATrustedPeerIsReadToo() throws Exception {
    HttpClientAgent h2 = harness.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setLocalAddress(TRUSTED_PEER));
    DataPlaneHarness.Answer answer = DataPlaneHarness.await(harness.onContext(() -> h2.request(new RequestOptions()
            .setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(harness.dataPlane.httpsPort()).setURI("/")
            .putHeader("x-forwarded-for", "6.6.6.6, 203.0.113.8"))
        .compose(request -> request.authority(io.vertx.core.net.HostAndPort.create(HOST, 443)).send()).compose(r -> r.body().map(b -> new DataPlaneHarness.Answer(r.statusCode(),
            b.toString(), java.util.Map.of("xff", String.valueOf(r.getHeader("seen-x-forwarded-for")), "real",
                String.valueOf(r.getHeader("seen-x-real-ip")), "version", r.version().name()))))));
    assertThat(answer.headers()).containsEntry("version", "HTTP_2").containsEntry("real", "203.0.113.8")
        .containsEntry("xff", "203.0.113.8, " + TRUSTED_PEER);
  }

  @Test
  void webSocketUpgradesGetTheRealClientToo() throws Exception {
    // When: an upgrade from a trusted proxy, and one after a PROXY header
    String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    assertThat(upgradeAnswer(TRUSTED_PEER, harness.dataPlane.httpPort(), null,
        upgrade + "X-Forwarded-For: 6.6.6.6, 203.0.113.50\r\n")).startsWith("HTTP/1.1 101");
    io.vertx.core.MultiMap viaTrusted = backend.upgradeHeads.get(backend.upgradeHeads.size() - 1);
    assertThat(upgradeAnswer(BALANCER, proxyHttpPort, v1("TCP4 192.0.2.51 127.0.0.1 5555 80"),
        upgrade + "X-Forwarded-For: 6.6.6.6\r\n")).startsWith("HTTP/1.1 101");
    io.vertx.core.MultiMap viaProxyHeader = backend.upgradeHeads.get(backend.upgradeHeads.size() - 1);
    // Then
    assertThat(viaTrusted.get("x-real-ip")).isEqualTo("203.0.113.50");
    assertThat(viaTrusted.get("x-forwarded-for")).isEqualTo("203.0.113.50, " + TRUSTED_PEER);
    assertThat(viaProxyHeader.get("x-real-ip")).isEqualTo("192.0.2.51");
    assertThat(viaProxyHeader.get("x-forwarded-for")).isEqualTo("192.0.2.51");
  }

  /** The head of the answer to an upgrade request (the connection is closed after it). */
  private static String upgradeAnswer(String from, int port, byte[] proxyHeader, String headers) throws IOException {
    try (Socket socket = connect(from, port)) {
      if (proxyHeader != null) {
        socket.getOutputStream().write(proxyHeader);
      }
      socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: " + HOST + "\r\n" + headers + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return RawHttp.readHead(socket.getInputStream());
    }
  }

  @Test
  void proxyHeaderOnAListenerWithoutProxyProtocolIsNotBelieved() throws Exception {
    int before = backend.uris.size();
    String answer = http(UNTRUSTED_PEER, harness.dataPlane.httpPort(), v1("TCP4 192.0.2.10 127.0.0.1 5555 80"), "");
    assertThat(answer).startsWith("HTTP/1.0 400"); // a request line it cannot read
    assertThat(backend.uris).hasSize(before);
  }

  // ---- PROXY protocol on an HTTP listener ----

  @Test
  void proxyV1SourceIsTheClientAndSpoofedHeadersAreReplaced() throws Exception {
    String answer = http(BALANCER, proxyHttpPort, v1("TCP4 192.0.2.10 127.0.0.1 5555 80"),
        "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n");
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo("192.0.2.10");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("192.0.2.10");
  }

  @Test
  void proxyV2Tcp4AndTcp6() throws Exception {
    String v4 = http(BALANCER, proxyHttpPort, v2(0x21, 0x11, "192.0.2.11", "127.0.0.1", 5555, 80), "");
    assertThat(seen(v4, "x-real-ip")).isEqualTo("192.0.2.11");
    String v6 = http(BALANCER, proxyHttpPort, v2(0x21, 0x21, "2001:db8::11", "2001:db8::1", 5555, 80), "");
    assertThat(seen(v6, "x-real-ip")).isEqualTo("2001:db8::11");
    assertThat(seen(v6, "x-forwarded-for")).isEqualTo("2001:db8::11");
  }

  @Test
  void proxyV2LocalCommandKeepsTheSocketAddress() throws Exception {
    String answer = http(BALANCER, proxyHttpPort, v2(0x20, 0x00, null, null, 0, 0), "");
    assertThat(seen(answer, "x-real-ip")).isEqualTo(BALANCER);
    String unknown = http(BALANCER, proxyHttpPort, v1("UNKNOWN"), "");
    assertThat(seen(unknown, "x-real-ip")).isEqualTo(BALANCER);
    // a Unix socket's path (v2 AF_UNIX, 216 address bytes) names no IP client either
    byte[] unix = v2Length(0x21, 0x31, 216);
    assertThat(seen(http(BALANCER, proxyHttpPort, unix, ""), "x-real-ip")).isEqualTo(BALANCER);
    assertThat(seen(https(BALANCER, proxyHttpsPort, unix, ""), "x-real-ip")).isEqualTo(BALANCER);
  }

  @Test
  void proxySourceIsThePeerForTrustedProxies() throws Exception {
    // a load balancer in 10.0.0.0/8 (trusted) forwarded a request that had passed another proxy
    String answer = http(BALANCER, proxyHttpPort, v1("TCP4 10.9.9.9 127.0.0.1 5555 80"),
        "X-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("198.51.100.7");
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo("198.51.100.7, 10.9.9.9");
    // the socket's own address (the balancer's, trusted) does not count once a PROXY header named another peer
    String fromTrustedSocket = http(BALANCER, proxyHttpPort, v1("TCP4 192.0.2.12 127.0.0.1 5555 80"),
        "X-Forwarded-For: 6.6.6.6\r\n");
    assertThat(seen(fromTrustedSocket, "x-real-ip")).isEqualTo("192.0.2.12");
  }

  @Test
  void connectionsWithoutAValidProxyHeaderAreClosedUnanswered() throws Exception {
    int before = backend.uris.size();
    List<byte[]> hostile = List.of(
        new byte[0], // a plain HTTP request, no header
        v1("TCP4 999.1.1.1 127.0.0.1 5555 80"),
        v1("TCP4 192.0.2.1 127.0.0.1 70000 80"),
        v1("TCP6 192.0.2.1 127.0.0.1 5555 80"),
        v1("TCP4 192.0.2.1 127.0.0.1 5555"),
        ("PROXY TCP4 " + "1".repeat(200) + "\r\n").getBytes(StandardCharsets.US_ASCII), // longer than 107 bytes
        v2(0x31, 0x11, "192.0.2.1", "127.0.0.1", 1, 2), // version 3
        v2(0x21, 0x51, "192.0.2.1", "127.0.0.1", 1, 2), // no such family
        v2Length(0x21, 0x11, 4)); // TCP4 needs 12 address bytes
    for (byte[] header : hostile) {
      String answer = http(UNTRUSTED_PEER, proxyHttpPort, header, "");
      assertThat(answer).as(new String(header, StandardCharsets.ISO_8859_1)).isEmpty();
    }
    assertThat(backend.uris).hasSize(before);
  }

  @Test
  void silentOrTruncatedHeaderIsClosedAtTheDeadline() throws Exception {
    for (byte[] partial : List.of(new byte[0], "PROXY TCP4 192.0.2.1".getBytes(StandardCharsets.US_ASCII),
        java.util.Arrays.copyOf(v2(0x21, 0x11, "192.0.2.1", "127.0.0.1", 1, 2), 20))) {
      for (int port : List.of(proxyHttpPort, proxyHttpsPort, proxyTcpPort)) {
        try (Socket socket = connect(UNTRUSTED_PEER, port)) {
          socket.getOutputStream().write(partial);
          long started = System.nanoTime();
          int read = readOrReset(socket.getInputStream());
          long elapsed = (System.nanoTime() - started) / 1_000_000;
          assertThat(read).as("port %d, %d bytes", port, partial.length).isEqualTo(-1);
          assertThat(elapsed).as("port %d", port).isBetween(HEADER_DEADLINE_MILLIS - 200, HEADER_DEADLINE_MILLIS + 5000);
        }
      }
    }
  }

  // ---- PROXY protocol on HTTPS: the header, then TLS ----

  @Test
  void proxyHeaderBeforeTlsOnHttps() throws Exception {
    String answer = https(BALANCER, proxyHttpsPort, v2(0x21, 0x11, "192.0.2.20", "127.0.0.1", 5555, 443),
        "X-Forwarded-For: 6.6.6.6\r\n");
    assertThat(seen(answer, "x-real-ip")).isEqualTo("192.0.2.20");
    assertThat(seen(answer, "x-forwarded-for")).isEqualTo("192.0.2.20");
    assertThat(seen(answer, "x-forwarded-proto")).isEqualTo("https");
  }

  @Test
  void proxyHeaderBeforeTlsThenHttp2() throws Exception {
    try (Socket socket = connect(BALANCER, proxyHttpsPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.21 127.0.0.1 5555 443"));
      RawHttp2 h2 = RawHttp2.over(socket, proxyHttpsPort);
      h2.headers(1, RawHttp2.request("GET", "/").add("x-forwarded-for", "6.6.6.6").add("x-real-ip", "6.6.6.6"), true);
      RawHttp2.Frame answer = h2.readUntil(f -> f.headers() != null && f.streamId() == 1);
      assertThat(answer.headers().status().toString()).isEqualTo("200");
      assertThat(answer.headers().get("seen-x-real-ip").toString()).isEqualTo("192.0.2.21");
      assertThat(answer.headers().get("seen-x-forwarded-for").toString()).isEqualTo("192.0.2.21");
    }
  }

  @Test
  void tlsWithoutProxyHeaderIsClosed() throws Exception {
    int before = backend.uris.size();
    try (Socket socket = connect(UNTRUSTED_PEER, proxyHttpsPort)) {
      SSLSocket tls = (SSLSocket) RawHttp2.trustAll().getSocketFactory().createSocket(socket, HOST, proxyHttpsPort, true);
      try {
        tls.startHandshake();
        throw new AssertionError("the handshake went through without a PROXY header");
      } catch (IOException expected) {
        // closed: a ClientHello is no PROXY header
      }
    }
    assertThat(backend.uris).hasSize(before);
  }

  // ---- TCP and TCP_SSL: PROXY in, PROXY out to the backend ----

  @Test
  void tcpProxyInV1OutNamesTheClientToTheBackend() throws Exception {
    try (Socket socket = connect(BALANCER, proxyTcpPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.30 127.0.0.1 5555 9999"));
      assertThat(echo(socket, "hello")).isEqualTo("hello");
    }
    // the destination is the one the incoming header named, as HAProxy passes it on
    assertThat(tcpBackend.nextHeader()).isEqualTo("PROXY TCP4 192.0.2.30 127.0.0.1 5555 9999");
  }

  @Test
  void tcpIpv6ClientIsWrittenAsTcp6() throws Exception {
    try (Socket socket = connect(BALANCER, proxyTcpPort)) {
      socket.getOutputStream().write(v2(0x21, 0x21, "2001:db8::30", "2001:db8::1", 5555, 9999));
      assertThat(echo(socket, "hello6")).isEqualTo("hello6");
    }
    assertThat(tcpBackend.nextHeader()).isEqualTo("PROXY TCP6 2001:db8::30 2001:db8::1 5555 9999");
  }

  @Test
  void tcpWithoutProxyInWritesV2WithTheSocketPeer() throws Exception {
    try (Socket socket = connect(BALANCER, plainTcpPort)) {
      int local = socket.getLocalPort();
      assertThat(echo(socket, "plain")).isEqualTo("plain");
      assertThat(tcpBackend.nextHeader()).isEqualTo("v2 PROXY TCP4 " + BALANCER + ":" + local + " -> 127.0.0.1:" + plainTcpPort);
    }
  }

  @Test
  void tcpSslProxyInBeforeTlsAndV2Out() throws Exception {
    try (Socket socket = connect(BALANCER, proxyTlsPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.40 127.0.0.1 6000 443"));
      SSLSocket tls = (SSLSocket) RawHttp2.trustAll().getSocketFactory().createSocket(socket, HOST, proxyTlsPort, true);
      assertThat(echo(tls, "over tls")).isEqualTo("over tls");
    }
    assertThat(tcpBackend.nextHeader()).isEqualTo("v2 PROXY TCP4 192.0.2.40:6000 -> 127.0.0.1:443");
  }

  @Test
  void tcpWithoutValidProxyHeaderNeverReachesTheBackend() throws Exception {
    try (Socket socket = connect(BALANCER, proxyTcpPort)) {
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readOrReset(socket.getInputStream())).isEqualTo(-1);
    }
    // the next connection with a header is the next the backend sees
    try (Socket socket = connect(BALANCER, proxyTcpPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.31 127.0.0.1 5555 9999"));
      assertThat(echo(socket, "after")).isEqualTo("after");
    }
    assertThat(tcpBackend.nextHeader()).startsWith("PROXY TCP4 192.0.2.31 ");
  }

  // ---- PROXY headers from a peer outside --trusted-proxies: still required and read, not believed ----

  @Test
  void proxyHeadersFromAnUntrustedPeerAreNotBelievedOnHttp() throws Exception {
    String v1 = http(UNTRUSTED_PEER, proxyHttpPort, v1("TCP4 192.0.2.60 127.0.0.1 5555 80"),
        "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n");
    assertThat(seen(v1, "x-real-ip")).isEqualTo(UNTRUSTED_PEER);
    assertThat(seen(v1, "x-forwarded-for")).isEqualTo(UNTRUSTED_PEER);
    String v2 = http(UNTRUSTED_PEER, proxyHttpPort, v2(0x21, 0x11, "192.0.2.61", "127.0.0.1", 5555, 80),
        "X-Forwarded-For: 6.6.6.6\r\n");
    assertThat(seen(v2, "x-real-ip")).isEqualTo(UNTRUSTED_PEER);
    assertThat(seen(v2, "x-forwarded-for")).isEqualTo(UNTRUSTED_PEER);
  }

  @Test
  void proxyHeadersFromAnUntrustedPeerAreNotBelievedOnHttpsAndHttp2() throws Exception {
    String h1 = https(UNTRUSTED_PEER, proxyHttpsPort, v2(0x21, 0x11, "192.0.2.62", "127.0.0.1", 5555, 443),
        "X-Forwarded-For: 6.6.6.6\r\n");
    assertThat(seen(h1, "x-real-ip")).isEqualTo(UNTRUSTED_PEER);
    assertThat(seen(h1, "x-forwarded-for")).isEqualTo(UNTRUSTED_PEER);
    try (Socket socket = connect(UNTRUSTED_PEER, proxyHttpsPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.63 127.0.0.1 5555 443"));
      RawHttp2 h2 = RawHttp2.over(socket, proxyHttpsPort);
      h2.headers(1, RawHttp2.request("GET", "/").add("x-forwarded-for", "6.6.6.6"), true);
      RawHttp2.Frame answer = h2.readUntil(f -> f.headers() != null && f.streamId() == 1);
      assertThat(answer.headers().status().toString()).isEqualTo("200");
      assertThat(answer.headers().get("seen-x-real-ip").toString()).isEqualTo(UNTRUSTED_PEER);
      assertThat(answer.headers().get("seen-x-forwarded-for").toString()).isEqualTo(UNTRUSTED_PEER);
    }
  }

  @Test
  void proxyHeadersFromAnUntrustedPeerAreNotPassedOnByTcpAndTcpSsl() throws Exception {
    try (Socket socket = connect(UNTRUSTED_PEER, proxyTcpPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.64 127.0.0.1 5555 9999"));
      assertThat(echo(socket, "untrusted")).isEqualTo("untrusted");
      assertThat(tcpBackend.nextHeader())
          .isEqualTo("PROXY TCP4 " + UNTRUSTED_PEER + " 127.0.0.1 " + socket.getLocalPort() + " " + proxyTcpPort);
    }
    try (Socket socket = connect(UNTRUSTED_PEER, proxyTlsPort)) {
      socket.getOutputStream().write(v2(0x21, 0x11, "192.0.2.65", "127.0.0.1", 6000, 443));
      SSLSocket tls = (SSLSocket) RawHttp2.trustAll().getSocketFactory().createSocket(socket, HOST, proxyTlsPort, true);
      assertThat(echo(tls, "untrusted tls")).isEqualTo("untrusted tls");
      assertThat(tcpBackend.nextHeader()).isEqualTo(
          "v2 PROXY TCP4 " + UNTRUSTED_PEER + ":" + socket.getLocalPort() + " -> 127.0.0.1:" + proxyTlsPort);
    }
  }

  @Test
  void proxyHeadersNotBelievedAreCounted() throws Exception {
    double before = untrustedHeaders();
    http(UNTRUSTED_PEER, proxyHttpPort, v1("TCP4 192.0.2.66 127.0.0.1 5555 80"), "");
    try (Socket socket = connect(UNTRUSTED_PEER, proxyTcpPort)) {
      socket.getOutputStream().write(v1("TCP4 192.0.2.67 127.0.0.1 5555 9999"));
      assertThat(echo(socket, "counted")).isEqualTo("counted");
      tcpBackend.nextHeader();
    }
    http(BALANCER, proxyHttpPort, v1("TCP4 192.0.2.68 127.0.0.1 5555 80"), "");
    assertThat(untrustedHeaders()).isEqualTo(before + 2);
  }

  private static double untrustedHeaders() {
    Matcher matcher = Pattern.compile("(?m)^clb_proxy_headers_untrusted_total ([0-9.E]+)$")
        .matcher(harness.dataPlane.metrics().scrape());
    assertThat(matcher.find()).as("clb_proxy_headers_untrusted_total in the scrape").isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  /**
   * One deadline for the whole header on every PROXY listener, Vert.x's (HTTPS, TCP, TCP_SSL) as
   * the data plane's own (HTTP): a header sent one byte at a time, each byte well within the
   * deadline of the one before, is cut off before its end.
   */
  @Test
  void headerTrickledByteByByteIsClosedAtTheWholeHeaderDeadline() throws Exception {
    byte[] header = v1("TCP4 192.0.2.70 127.0.0.1 5555 80");
    int gapMillis = (int) HEADER_DEADLINE_MILLIS / 5;
    for (int port : List.of(proxyHttpPort, proxyHttpsPort, proxyTcpPort, proxyTlsPort)) {
      try (Socket socket = connect(BALANCER, port)) {
        socket.setSoTimeout(gapMillis); // the pace: the next byte when nothing happened for this long
        int sent = 0;
        boolean closed = false;
        while (!closed && sent < header.length) {
          closed = !writeByte(socket, header[sent++]) || closedWithinTimeout(socket);
        }
        assertThat(closed).as("port %d: closed before its %d-byte header was complete", port, header.length).isTrue();
        assertThat(sent).as("port %d: bytes sent", port).isLessThan(header.length);
      }
    }
  }

  /** False when the server has closed (or reset) the connection. */
  private static boolean writeByte(Socket socket, byte b) {
    try {
      socket.getOutputStream().write(b);
      socket.getOutputStream().flush();
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /** True when the server closes (or resets) the connection within the socket's read timeout. */
  private static boolean closedWithinTimeout(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  // ---- the table ----

  private static RoutingTable table() {
    ClientLimits deadline = new ClientLimits(75_000, HEADER_DEADLINE_MILLIS, 0);
    Route toB = new Route(new PathMatch.Prefix("/"), "b", Tables.DEFAULT_TIMEOUTS, "test");
    Route toTcp = new Route(new PathMatch.Prefix("/"), "tcp", Tables.DEFAULT_TIMEOUTS, "test");
    Route toHashed = new Route(new PathMatch.Prefix("/"), "hashed", Tables.DEFAULT_TIMEOUTS, "test");
    Route redirected = new Route(new PathMatch.Prefix("/"), "b", Tables.DEFAULT_TIMEOUTS, "test", true);
    List<VirtualHost> hosts = List.of(new VirtualHost(HOST, List.of(toB)),
        new VirtualHost("hash.example.com", List.of(toHashed)), new VirtualHost(SSL_REDIRECT_HOST, List.of(redirected)));
    Certificate server = new Certificate("apps/server", List.of(), Openssl.read(dir.resolve("server-cert.pem")),
        Openssl.read(dir.resolve("server-key.pem")), "CN=" + HOST, List.of(HOST), "2030-01-01T00:00:00Z", "test");
    ListenerTls tls = new ListenerTls(List.of(server.name()), null, true, List.of());
    List<Listener> listeners = List.of(
        new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, hosts, null),
        new Listener("default-https", Protocol.HTTPS, Listener.PORT_FROM_FLAGS, hosts, null),
        new Listener("apps/pp-http", Protocol.HTTP, proxyHttpPort, hosts, toB, null, deadline, true, null),
        new Listener("apps/pp-https", Protocol.HTTPS, proxyHttpsPort, hosts, toB, tls, deadline, true, null),
        new Listener("apps/pp-tcp", Protocol.TCP, proxyTcpPort, List.of(), toTcp, null, deadline, true,
            ProxyProtocolVersion.V1),
        new Listener("apps/tcp-v2", Protocol.TCP, plainTcpPort, List.of(), toTcp, null, null, false,
            ProxyProtocolVersion.V2),
        new Listener("apps/pp-tls", Protocol.TCP_SSL, proxyTlsPort, List.of(), toTcp, tls, deadline, true,
            ProxyProtocolVersion.V2));
    List<Endpoint> hashedEndpoints = hashed.stream().map(b -> new Endpoint("127.0.0.1", b.port())).toList();
    return TableCodec.stamp(RoutingTable.unpublished(listeners, List.of(
        new Cluster("b", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port()))),
        new Cluster("hashed", BackendProtocol.HTTP, Scheduler.IP_HASH, hashedEndpoints),
        new Cluster("tcp", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", tcpBackend.port())))),
        List.of(server)), 1);
  }

  // ---- clients written here ----

  /** A PROXY v1 line: {@code PROXY <rest>\r\n}. */
  static byte[] v1(String rest) {
    return ("PROXY " + rest + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A PROXY v2 header (the specification's section 2.2): signature, version and command, family
   * and transport, length, addresses and ports; none for a {@code LOCAL} command.
   */
  static byte[] v2(int versionCommand, int family, String source, String destination, int sourcePort,
      int destinationPort) throws IOException {
    ByteArrayOutputStream addresses = new ByteArrayOutputStream();
    if (source != null) {
      addresses.write(java.net.InetAddress.getByName(source).getAddress());
      addresses.write(java.net.InetAddress.getByName(destination).getAddress());
      addresses.write(ByteBuffer.allocate(4).putShort((short) sourcePort).putShort((short) destinationPort).array());
    }
    return v2Header(versionCommand, family, addresses.toByteArray());
  }

  /** A v2 header whose address block is {@code length} zero bytes. */
  static byte[] v2Length(int versionCommand, int family, int length) {
    return v2Header(versionCommand, family, new byte[length]);
  }

  private static byte[] v2Header(int versionCommand, int family, byte[] addresses) {
    ByteBuffer header = ByteBuffer.allocate(16 + addresses.length);
    header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    header.put((byte) versionCommand).put((byte) family).putShort((short) addresses.length).put(addresses);
    return header.array();
  }

  static Socket connect(String from, int port) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** A request to the default HTTP listener from a trusted proxy, with this X-Forwarded-For. */
  private static String fromTrustedPeer(String forwardedFor) throws IOException {
    return http(TRUSTED_PEER, harness.dataPlane.httpPort(), null, "X-Forwarded-For: " + forwardedFor + "\r\n");
  }

  static String http(String from, int port, byte[] proxyHeader, String headers) throws IOException {
    return http(from, port, proxyHeader, headers, HOST);
  }

  /** One request with {@code Connection: close} after {@code proxyHeader}; the whole answer, "" when closed unanswered. */
  private static String http(String from, int port, byte[] proxyHeader, String headers, String host) throws IOException {
    try (Socket socket = connect(from, port)) {
      OutputStream out = socket.getOutputStream();
      if (proxyHeader != null) {
        out.write(proxyHeader);
      }
      out.write(request(headers, host));
      return readAll(socket.getInputStream());
    }
  }

  private static String https(String from, int port, byte[] proxyHeader, String headers) throws Exception {
    try (Socket socket = connect(from, port)) {
      socket.getOutputStream().write(proxyHeader);
      SSLSocket tls = (SSLSocket) RawHttp2.trustAll().getSocketFactory().createSocket(socket, HOST, port, true);
      tls.getOutputStream().write(request(headers, HOST));
      return readAll(tls.getInputStream());
    }
  }

  private static byte[] request(String headers, String host) {
    return ("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static String echo(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    byte[] answer = socket.getInputStream().readNBytes(text.length());
    return new String(answer, StandardCharsets.US_ASCII);
  }

  /** Everything until the server closes; a reset counts as a close. */
  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the data plane neither answered nor closed within 10 s", e);
    } catch (SocketException reset) {
      // closed with unread bytes: a reset
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** The first byte, or -1 when the server closes (or resets) first. */
  private static int readOrReset(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the data plane did not close the connection within 10 s", e);
    } catch (SocketException reset) {
      return -1;
    }
  }

  /** The value of a request header the backend saw ({@link TestBackend}'s {@code seen-*} answer headers). */
  static String seen(String answer, String header) {
    assertThat(answer).as("answer").startsWith("HTTP/1.1 200");
    Matcher matcher = Pattern.compile("(?i)\r\nseen-" + Pattern.quote(header) + ": ([^\r]*)\r\n").matcher(answer);
    return matcher.find() ? matcher.group(1) : null;
  }

  private static String body(String answer) {
    assertThat(answer).as("answer").startsWith("HTTP/1.1 200");
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }
}
