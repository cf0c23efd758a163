package io.clbingress.dataplane.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * {@code Expect: 100-continue} (RFC 9110 §10.1.1): the proxy meets the expectation itself, as
 * Envoy does by default and nginx does when it starts reading a body. Once the backend connection
 * is made and the request head sent on, the client gets {@code 100 Continue} at once and its body
 * streams through; the backend does not see the expectation (it would wait for a 100 the client
 * already has, and many servers never send one). A final answer that comes before the 100 (no
 * route, no endpoint, 413 by Content-Length, 502) is sent with {@code Connection: close} and the
 * connection closed, since the client will not send the body it was not invited to send (RFC
 * 9110 §10.1.1: a server that answers before reading the content says whether it closes). An
 * HTTP/1.0 request's expectation is ignored (RFC 9110 §10.1.1: MUST ignore).
 */
final class ExpectContinue {

  private ExpectContinue() {
  }

  /**
   * Whether the client waits for a 100 before sending its body: HTTP/1.1 or HTTP/2, 100-continue
   * expected, a body announced (a Content-Length other than 0, or Transfer-Encoding) and not in.
   */
  static boolean awaited(HttpServerRequest request) {
    MultiMap headers = request.headers();
    return awaited(request.version() == HttpVersion.HTTP_1_0, request.version() == HttpVersion.HTTP_2,
        request.isEnded(), headers.get("expect"), headers.get("content-length"), headers.contains("transfer-encoding"));
  }

  /**
   * The same for any engine.
   *
   * @param ended the whole request is in (no body will come)
   * @param expect the Expect header, or null
   * @param contentLength the Content-Length header, or null
   * @param chunked a Transfer-Encoding header is present
   */
  static boolean awaited(boolean http10, boolean http2, boolean ended, String expect, String contentLength,
      boolean chunked) {
    if (http10 || ended || !expects(expect)) {
      return false;
    }
    return contentLength != null ? !contentLength.trim().equals("0") : chunked || http2;
  }

  static boolean expects(String expect) {
    return expect != null && expect.trim().equalsIgnoreCase("100-continue");
  }

  /** Whether the headers carry the 100-continue expectation (any case). */
  static boolean expects(MultiMap headers) {
    return expects(headers.get("expect"));
  }

  /** The expectation is the proxy's: it does not go on to the backend. */
  static void removeFrom(MultiMap upstreamHeaders) {
    if (expects(upstreamHeaders)) {
      upstreamHeaders.remove("expect");
    }
  }

  /**
   * Sends the request head on to the backend (so that it can refuse before any body, RFC 9110
   * §15) and invites the body of a client that waits for it; nothing for any other request.
   *
   * @return whether the client was sent a 100 Continue
   */
  static boolean invite(HttpServerRequest request, HttpClientRequest upstream) {
    if (!awaited(request)) {
      return false;
    }
    RequestBodyPump.frame(request, upstream);
    upstream.sendHead();
    request.response().writeContinue();
    return true;
  }
}
