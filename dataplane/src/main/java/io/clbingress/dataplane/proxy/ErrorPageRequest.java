package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ErrorPageRoute;
import io.clbingress.dataplane.table.HttpHeader;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The request that fetches an error page from a route's error backend ({@link ErrorPageRoute}),
 * for both engines: {@code GET /} ({@code HEAD /} for a HEAD request) with the client's request
 * headers, without a body, and ingress-nginx's headers for its custom error pages backend.
 */
final class ErrorPageRequest {

  /** The path an error page is fetched from (ingress-nginx rewrites every error request to it). */
  static final String PATH = "/";

  private ErrorPageRequest() {
  }

  /** GET, or HEAD for a HEAD request (the client must not get a body). */
  static boolean head(String method) {
    return method.equals("HEAD");
  }

  /**
   * ingress-nginx's error headers: {@code X-Code} the replaced status, {@code X-Format} the
   * client's Accept (when it sent one), {@code X-Original-URI} the target as the client sent it,
   * and the route's own ({@code X-Namespace}, {@code X-Ingress-Name}, {@code X-Service-Name},
   * {@code X-Service-Port}).
   */
  static void applyTo(ProxyHeaders.Sink to, ErrorPageRoute pages, int status, String accept, String originalUri) {
    to.set("X-Code", Integer.toString(status));
    if (accept != null) {
      to.set("X-Format", accept);
    }
    to.set("X-Original-URI", originalUri);
    List<HttpHeader> headers = pages.rules().headers();
    for (int i = 0; i < headers.size(); i++) {
      to.set(headers.get(i).name(), headers.get(i).value());
    }
  }

  /**
   * The Netty engine's request for the page: the headers the client's request was forwarded with,
   * less its body's framing, plus the error headers.
   *
   * @param forwarded the client's request as it went to the route's backend
   * @param route the route whose answer is replaced: the headers it set for its own backend
   *     (RequestHeaderModifier) do not go to the error backend, as on the Vert.x engine
   */
  static HttpRequest netty(HttpRequest forwarded, CompiledRoute route, int status, String originalUri) {
    HttpRequest page = new DefaultHttpRequest(HttpVersion.HTTP_1_1,
        head(forwarded.method().name()) ? HttpMethod.HEAD : HttpMethod.GET, PATH);
    HttpHeaders headers = page.headers().set(forwarded.headers());
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    for (HttpHeader own : route.setHeaders().inOrder()) {
      headers.remove(own.name());
    }
    applyTo(headers::set, route.errorPages(), status, forwarded.headers().get(HttpHeaderNames.ACCEPT), originalUri);
    return page;
  }
}
