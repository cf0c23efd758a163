package io.clbingress.dataplane.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.SetHeaders;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.Retry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link UpstreamRequestHead} writes the bytes Netty's encoder writes for the request as the
 * decoded way edits it ({@link ProxyHeaders#towardsBackend}, Expect removed, the target and
 * version set, a Host for a client that named none): on named cases and on random heads.
 */
class UpstreamRequestHeadTest {

  private static final RealIp.Client DIRECT = RealIp.Client.direct("192.0.2.7");
  private static final RealIp.Client BEHIND = new RealIp.Client("203.0.113.9", "203.0.113.9, 192.0.2.7", "https");

  @Test
  void aPlainRequestLosesHopByHopAndSpoofedHeadersAndGainsTheProxysInTheEncodersOrder() {
    // Given a keep-alive request with hop-by-hop, spoofed and underscored fields and an Expect
    List<String> fields = List.of("Host", "example.com:8080", "User-Agent", "curl", "Connection", "keep-alive, X-Secret",
        "X-Secret", "s", "X-Forwarded-For", "6.6.6.6", "x_forwarded_for", "6.6.6.6", "Expect", "100-continue",
        "Content-Length", "3", "TE", "trailers", "Cookie", "a=1", "cookie", "b=2", "X-Request-ID", "abc");
    // When it is written with no route edits
    String raw = raw(fields, "/p?q=1", forwarded("example.com:8080", DIRECT, route(null)), false, null);
    // Then it is byte for byte the decoded way's
    assertThat(raw).isEqualTo(reference(fields, "/p?q=1", forwarded("example.com:8080", DIRECT, route(null)), false, null));
    assertThat(raw).isEqualTo("GET /p?q=1 HTTP/1.1\r\nUser-Agent: curl\r\nContent-Length: 3\r\nCookie: a=1\r\n"
        + "cookie: b=2\r\nX-Request-ID: abc\r\nHost: example.com:8080\r\nX-Forwarded-For: 192.0.2.7\r\n"
        + "X-Real-IP: 192.0.2.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: example.com:8080\r\n"
        + "X-Forwarded-Port: 80\r\n\r\n");
  }

  @Test
  void aRoutesSetHeaderReplacesTheClientsAndTheProxysFieldOfItsNameAndGoesLast() {
    // Given a route that sets User-Agent, X-Forwarded-Proto twice and Host, and rewrites the host
    CompiledRoute route = route("backend.internal", "user-agent", "proxy", "X-Forwarded-Proto", "first",
        "x-forwarded-proto", "second", "Host", "h");
    List<String> fields = List.of("Host", "example.com", "User-Agent", "curl", "Accept", "*/*");
    ProxyHeaders.Forwarded forwarded = forwarded("example.com", BEHIND, route);
    // When written, Then as the decoded way: each set field once, where the last set put it
    String raw = raw(fields, "/rewritten", forwarded, true, null);
    assertThat(raw).isEqualTo(reference(fields, "/rewritten", forwarded, true, null));
    assertThat(raw).isEqualTo("GET /rewritten HTTP/1.1\r\nAccept: */*\r\nX-Forwarded-For: 203.0.113.9, 192.0.2.7\r\n"
        + "X-Real-IP: 203.0.113.9\r\nX-Forwarded-Host: example.com\r\nX-Forwarded-Port: 80\r\nuser-agent: proxy\r\n"
        + "x-forwarded-proto: second\r\nHost: h\r\n\r\n");
  }

  @Test
  void anHttp10RequestWithoutHostGetsTheEndpointsAfterTheRoutesFields() {
    CompiledRoute route = route(null, "host", "ignored", "X-A", "1");
    List<String> fields = List.of("Accept", "*/*");
    ProxyHeaders.Forwarded forwarded = forwarded(null, null, route);
    String raw = raw(fields, "/", forwarded, false, "10.0.0.1:8080");
    assertThat(raw).isEqualTo(reference(fields, "/", forwarded, false, "10.0.0.1:8080"));
    assertThat(raw).endsWith("X-A: 1\r\nhost: 10.0.0.1:8080\r\n\r\n");
  }

  @Test
  void randomHeadsAreWrittenAsTheDecodedWayWritesThem() {
    Random random = new Random(20261202);
    String[] names = {"Host", "host", "Connection", "connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection",
        "TE", "Trailer", "Upgrade", "X-Forwarded-For", "x-forwarded-proto", "X-Forwarded-Host", "X-Forwarded-Port",
        "X-Real-IP", "Forwarded", "ssl-client-verify", "SSL-Client-Cert", "Expect", "Content-Length", "Cookie",
        "User-Agent", "Accept", "X_Custom", "x-custom", "Authorization", "X-Request-ID", "A", "x-a", "Transfer-Encoding"};
    String[] values = {"1", "keep-alive", "close", "x-custom, accept", "Upgrade, A", "Content-Length, x-a", "caf\u00e9", "\u20ac", "", "a, b",
        "100-continue"};
    for (int round = 0; round < 2000; round++) {
      List<String> fields = new ArrayList<>();
      for (int i = random.nextInt(12); i > 0; i--) {
        fields.add(names[random.nextInt(names.length)]);
        fields.add(values[random.nextInt(values.length)]);
      }
      List<String> sets = new ArrayList<>();
      for (int i = random.nextInt(3); i > 0; i--) {
        sets.add(names[random.nextInt(names.length)]);
        sets.add(random.nextBoolean() ? "set" : "a, b");
      }
      String upstreamHost = random.nextInt(4) == 0 ? "rewritten.example" : null;
      CompiledRoute route = route(upstreamHost, sets.toArray(String[]::new));
      if (!UpstreamRequestHead.writable("/", route)) {
        continue;
      }
      String host = random.nextInt(4) == 0 ? null : "example.com";
      RealIp.Client client = switch (random.nextInt(3)) {
        case 0 -> null;
        case 1 -> DIRECT;
        default -> BEHIND;
      };
      ProxyHeaders.Forwarded forwarded = new ProxyHeaders.Forwarded(host, client, random.nextBoolean(),
          random.nextBoolean() ? "443" : null, null, route);
      String hostIfNone = host == null && upstreamHost == null ? "10.0.0.1:80" : null;
      boolean underscores = random.nextBoolean();
      String target = random.nextBoolean() ? "/a/b?c=d" : "/caf\u00e9";
      assertThat(raw(fields, target, forwarded, underscores, hostIfNone))
          .as("fields %s, route sets %s, host %s", fields, sets, host)
          .isEqualTo(reference(fields, target, forwarded, underscores, hostIfNone));
    }
  }

  @Test
  void onlyOriginFormTargetsOnRoutesThatSetNoTransferEncodingAreWritten() {
    assertThat(UpstreamRequestHead.writable("/", route(null))).isTrue();
    assertThat(UpstreamRequestHead.writable("", route(null))).isFalse();
    assertThat(UpstreamRequestHead.writable("*", route(null))).isFalse();
    assertThat(UpstreamRequestHead.writable("http://example.com", route(null))).isFalse();
    // a route that sets Transfer-Encoding: the encoder frames the body by it
    assertThat(UpstreamRequestHead.writable("/", route(null, "Transfer-Encoding", "chunked"))).isFalse();
  }

  private static String raw(List<String> fields, String target, ProxyHeaders.Forwarded forwarded, boolean underscores,
      String hostIfNone) {
    String vertx = raw(fields, target, forwarded, underscores, hostIfNone, HeadersMultiMap::httpHeaders);
    String netty = raw(fields, target, forwarded, underscores, hostIfNone, DefaultHttpHeaders::new);
    assertThat(netty).isEqualTo(vertx);
    return vertx;
  }

  private static String raw(List<String> fields, String target, ProxyHeaders.Forwarded forwarded, boolean underscores,
      String hostIfNone, Supplier<HttpHeaders> headers) {
    HttpRequest request = request(fields, headers.get());
    String before = request.headers().toString();
    ByteBuf bytes = UpstreamRequestHead.encode(UnpooledByteBufAllocator.DEFAULT, request, target, forwarded, underscores,
        hostIfNone);
    try {
      assertThat(request.headers().toString()).as("the client's headers are not edited").isEqualTo(before);
      return bytes.toString(StandardCharsets.ISO_8859_1);
    } finally {
      bytes.release();
    }
  }

  /** What the decoded way sends: the headers edited as {@link ForwardedExchange} edits them, then Netty's encoder. */
  private static String reference(List<String> fields, String target, ProxyHeaders.Forwarded forwarded,
      boolean underscores, String hostIfNone) {
    HttpRequest request = request(fields, HeadersMultiMap.httpHeaders());
    ProxyHeaders.towardsBackend(request.headers(), false, forwarded, underscores);
    request.headers().remove(HttpHeaderNames.EXPECT);
    request.setUri(target);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (hostIfNone != null) {
      request.headers().set(HttpHeaderNames.HOST, hostIfNone);
    }
    EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestEncoder());
    channel.writeOutbound(request);
    StringBuilder text = new StringBuilder();
    for (ByteBuf bytes; (bytes = channel.readOutbound()) != null; bytes.release()) {
      text.append(bytes.toString(StandardCharsets.ISO_8859_1));
    }
    channel.finishAndReleaseAll();
    return text.toString();
  }

  private static HttpRequest request(List<String> fields, HttpHeaders headers) {
    for (int i = 0; i < fields.size(); i += 2) {
      headers.add(fields.get(i), fields.get(i + 1));
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "http://client/target", headers);
  }

  private static ProxyHeaders.Forwarded forwarded(String host, RealIp.Client client, CompiledRoute route) {
    return new ProxyHeaders.Forwarded(host, client, false, "80", null, route);
  }

  /** A route whose only edits are its upstream Host and {@code sets} (name, value, ...). */
  private static CompiledRoute route(String upstreamHost, String... sets) {
    List<HttpHeader> set = new ArrayList<>();
    for (int i = 0; i < sets.length; i += 2) {
      set.add(new HttpHeader(sets[i], sets[i + 1]));
    }
    return new CompiledRoute(null, null, null, null, 0, null, null, upstreamHost, SetHeaders.of(set), null, null, null, Retry.DEFAULT,
        null, null, null, null, null);
  }
}
