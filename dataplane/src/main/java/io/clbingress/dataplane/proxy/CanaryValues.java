package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.CanarySplit;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.vertx.core.http.HttpServerRequest;

/** A request's headers and cookies as a {@link CanarySplit} reads them, from either engine; read only when a route has a canary. */
final class CanaryValues {

  private CanaryValues() {
  }

  /** A request read by the Netty HTTP/1 engine. */
  static CanarySplit.RequestValues of(HttpHeaders headers) {
    return new CanarySplit.RequestValues() {
      @Override
      public String header(String name) {
        return headers.get(name);
      }

      @Override
      public String cookie(String name) {
        for (String line : headers.getAll(HttpHeaderNames.COOKIE)) {
          for (Cookie cookie : ServerCookieDecoder.LAX.decode(line)) {
            if (cookie.name().equals(name)) {
              return cookie.value();
            }
          }
        }
        return null;
      }
    };
  }

  /** A request read by Vert.x (HTTPS, h2). */
  static CanarySplit.RequestValues of(HttpServerRequest request) {
    return new CanarySplit.RequestValues() {
      @Override
      public String header(String name) {
        return request.getHeader(name);
      }

      @Override
      public String cookie(String name) {
        io.vertx.core.http.Cookie cookie = request.getCookie(name);
        return cookie == null ? null : cookie.getValue();
      }
    };
  }
}
