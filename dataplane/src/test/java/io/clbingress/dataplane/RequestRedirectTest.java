package io.clbingress.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clbingress.dataplane.codec.TableCodec;
import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.PathMatch;
import io.clbingress.dataplane.table.Protocol;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.Route;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.dataplane.table.VirtualHost;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route's {@link RequestRedirect} filter (ingress-nginx's permanent-redirect and
 * temporal-redirect, Gateway API's RequestRedirect): the client gets the status and Location, the
 * backend gets nothing, whatever the request (a body, a WebSocket upgrade), and the redirect comes
 * before the redirect to HTTPS.
 */
class RequestRedirectTest {

  static DataPlaneHarness harness;
  static TestBackend backend;

  @BeforeAll
  static void start() throws Exception {
    harness = new DataPlaneHarness(Duration.ofSeconds(1));
    backend = harness.backend("app");
    harness.apply(table());
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void aFixedUrlIsTheLocationAsWritten() throws Exception {
    assertRedirect("fixed.example.com", "/old/page?q=1", 301, "https://www.example.com");
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void aUrlEndingInRequestUriKeepsThePathAndQuery() throws Exception {
    DataPlaneHarness.Answer answer = harness.send(HttpMethod.POST, "keep.example.com", "/a//b/../c?x=1&y=%20", "body");
    assertThat(answer.status()).isEqualTo(308);
    // the path as it would have been forwarded: dot segments and repeated slashes resolved
    assertThat(answer.headers()).containsEntry("location", "https://new.example.com/a/c?x=1&y=%20");
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void partsLeftOpenComeFromTheRequestPortIncluded() throws Exception {
    assertRedirect("same.example.com:8080", "/anything", 302, "http://same.example.com:8080/moved");
  }

  @Test
  void aRedirectComesBeforeTheRedirectToHttps() throws Exception {
    assertRedirect("tls.example.com", "/x", 307, "http://elsewhere.example.com:8081/x");
  }

  @Test
  void aWebSocketUpgradeOnARedirectedRouteIsRedirectedNotTunnelled() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "GET /chat HTTP/1.1\r\nHost: keep.example.com\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n", 2_000);
    assertThat(reply.status()).isEqualTo(308);
    assertThat(reply.header("location")).isEqualTo("https://new.example.com/chat");
    assertThat(backend.uris).isEmpty();
  }

  @Test
  void aRouteWithoutAClusterAnswersItsRedirect() throws Exception {
    assertRedirect("no-cluster.example.com", "/x?y", 302, "https://app.example.com/x?y");
    assertThatThrownBy(() -> new Route(new PathMatch.Prefix("/"), null, Tables.DEFAULT_TIMEOUTS, "t"))
        .as("only a redirecting route may go without a cluster").isInstanceOf(NullPointerException.class);
  }

  /**
   * Request targets in neither origin form ({@code /...}) nor absolute form, sent by raw clients:
   * pasted after a redirect's host they would move the Location to another host
   * ({@code https://new.example.com@evil.example}), and forwarded they reach a backend as written.
   */
  @Test
  void rawClientTargetsInNeitherOriginNorAbsoluteFormAreRefused() throws Exception {
    for (String target : List.of("@evil.example", "evil.example/x", ".evil.example", "*")) {
      for (String host : List.of("keep.example.com", "plain.example.com")) {
        RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), "OPTIONS " + target + " HTTP/1.1\r\nHost: "
            + host + "\r\nConnection: close\r\n\r\n", 2_000);
        assertThat(reply.status()).as(target + " on " + host).isEqualTo(400);
        assertThat(reply.header("location")).as(target).isNull();
      }
    }
    assertThat(backend.uris).isEmpty();
  }

  /**
   * A redirect that keeps the request's host, for a request that names none (HTTP/1.0 without
   * Host, an empty or unreadable Host): "https:///evil.example/x" would let a browser take the
   * path's first segment for the host.
   */
  @Test
  void aRedirectKeepingTheHostOfARequestWithoutOneIsRefused() throws Exception {
    for (String head : List.of("GET /evil.example/x HTTP/1.0\r\n\r\n",
        "GET /evil.example/x HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n",
        "GET /evil.example/x HTTP/1.1\r\nHost: a%\r\nConnection: close\r\n\r\n")) {
      RawHttp.Reply reply = RawHttp.exchange(harness.dataPlane.httpPort(), head, 2_000);
      assertThat(reply.status()).as(head).isEqualTo(400);
      assertThat(reply.header("location")).as(head).isNull();
    }
    // a host named by the request goes into the Location
    assertRedirect("other.example.com", "/x", 301, "https://other.example.com/x");
  }

  @Test
  void otherRoutesAreForwarded() throws Exception {
    assertThat(harness.get("plain.example.com", "/x").body()).isEqualTo("app");
    assertThat(backend.uris).containsExactly("/x");
    backend.uris.clear();
  }

  @Test
  void theFilterGoesThroughTheTableCodecAndItsHash() {
    RoutingTable table = table();
    RoutingTable decoded = TableCodec.fromJson(TableCodec.toJson(table));
    assertThat(decoded).isEqualTo(table);
    assertThat(TableCodec.toJson(table)).containsPattern("\"type\" ?: ?\"RequestRedirect\"");
    RoutingTable otherCode = table(308);
    assertThat(TableCodec.stamp(RoutingTable.unpublished(otherCode.listeners(), otherCode.clusters()), 1).hash())
        .isNotEqualTo(table.hash());
  }

  @Test
  void theLocationOfEachKindOfHost() {
    RequestRedirect keepAll = new RequestRedirect(null, null, null, "/new", 301);
    assertThat(keepAll.location("https", "[::1]", 8443, "/old")).isEqualTo("https://[::1]:8443/new");
    assertThat(keepAll.location("http", "a.example.com", 80, "/old")).isEqualTo("http://a.example.com/new");
    assertThat(keepAll.location("http", null, -1, "/old")).isEqualTo("http:///new");
    RequestRedirect toV6 = new RequestRedirect("https", "2001:db8::1", 443, null, 302);
    assertThat(toV6.location("http", "a.example.com", 8080, "/p?q")).isEqualTo("https://[2001:db8::1]/p?q");
    RequestRedirect schemeOnly = new RequestRedirect("https", null, null, null, 301);
    assertThat(schemeOnly.location("http", "a.example.com", 8080, "/p")).isEqualTo("https://a.example.com/p");
  }

  @Test
  void aRedirectThatCouldSplitTheLocationHeaderIsRefused() {
    assertThatThrownBy(() -> new RequestRedirect("https", "a.example.com", null, "/x\r\nSet-Cookie: a=b", 301))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control characters");
    for (String host : List.of("a b", "good.example@evil.example", "a.example/evil", "a.example:8080", "a.example?x",
        "a.example#x", "")) {
      assertThatThrownBy(() -> new RequestRedirect("https", host, null, null, 301)).as(host)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a host name or an IP address");
    }
    assertThat(new RequestRedirect("https", "2001:db8::1", null, null, 301).host()).isEqualTo("2001:db8::1");
    assertThat(new RequestRedirect("https", "10.0.0.1", null, null, 301).host()).isEqualTo("10.0.0.1");
    assertThatThrownBy(() -> new RequestRedirect("ftp", null, null, null, 301))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RequestRedirect(null, null, 0, null, 301))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RequestRedirect(null, null, null, null, 304))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("304");
  }

  /** A GET to {@code host} and {@code path} is answered with {@code status} and {@code location}. */
  private static void assertRedirect(String host, String path, int status, String location) throws Exception {
    DataPlaneHarness.Answer answer = harness.get(host, path);
    assertThat(answer.status()).as(host + path).isEqualTo(status);
    assertThat(answer.headers()).as(host + path).containsEntry("location", location);
  }

  private static RoutingTable table() {
    return table(301);
  }

  private static RoutingTable table(int fixedCode) {
    List<VirtualHost> hosts = List.of(
        host("fixed.example.com", false, new RequestRedirect("https", "www.example.com", null, "", fixedCode)),
        host("keep.example.com", false, new RequestRedirect("https", "new.example.com", null, null, 308)),
        host("same.example.com", false, new RequestRedirect(null, null, null, "/moved", 302)),
        host("tls.example.com", true, new RequestRedirect(null, "elsewhere.example.com", 8081, null, 307)),
        host("plain.example.com", false, null),
        host("*", false, new RequestRedirect("https", null, null, null, 301)),
        // a CLBListener rule with a redirect instead of a backend: no cluster
        new VirtualHost("no-cluster.example.com", List.of(new Route(new PathMatch.Prefix("/"), null,
            Tables.DEFAULT_TIMEOUTS, "CLBListener apps/web", false, null,
            List.of(new RequestRedirect("https", "app.example.com", null, null, 302))))));
    Cluster app = new Cluster("app", BackendProtocol.HTTP, Scheduler.WRR, List.of(new Endpoint("127.0.0.1", backend.port())));
    Listener listener = new Listener("default-http", Protocol.HTTP, Listener.PORT_FROM_FLAGS, hosts, null);
    return TableCodec.stamp(RoutingTable.unpublished(List.of(listener), List.of(app)), 1);
  }

  private static VirtualHost host(String name, boolean redirectToHttps, RequestRedirect redirect) {
    return new VirtualHost(name, List.of(new Route(new PathMatch.Prefix("/"), "app", Tables.DEFAULT_TIMEOUTS,
        "Ingress apps/" + name, redirectToHttps, null, redirect == null ? List.of() : List.of(redirect))));
  }
}
