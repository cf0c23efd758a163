package io.clbingress.dataplane.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * The SERVER span of one proxied request, from the moment it is dispatched to a backend until its
 * answer ends (for a WebSocket upgrade: the 101, or the refusal). Attribute names are the
 * OpenTelemetry HTTP semantic conventions' (stable HTTP server spans); {@code http.route} is the
 * route's source (the Ingress or CLBListener it comes from).
 *
 * <p>Used on the request's event loop only. A span the sampler dropped records nothing: its
 * attributes are not computed ({@link #recording}).
 */
public final class ProxySpan {

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> QUERY = AttributeKey.stringKey("url.query");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final Span span;
  private boolean ended;

  ProxySpan(Span span) {
    this.span = span;
  }

  /** Whether the span is sampled and records what it is told; a dropped one takes nothing. */
  public boolean recording() {
    return span.isRecording();
  }

  /**
   * What the request was, for a recorded span.
   *
   * @param scheme {@code http} or {@code https}
   * @param path the request's path as the client sent it
   * @param query its query, or null
   * @param host the host the request names, or null
   * @param port the port it names, else the listener's; 0 when unknown
   * @param protocolVersion {@code 1.0}, {@code 1.1} or {@code 2}
   * @param client the client's address ({@code --trusted-proxies}: the real one), or null
   * @param peer the address of the connection's other end, or null
   * @param userAgent the User-Agent header, or null
   */
  public void request(String scheme, String path, String query, String host, int port, String protocolVersion,
      String client, String peer, String userAgent) {
    span.setAttribute(SCHEME, scheme);
    span.setAttribute(PATH, path);
    span.setAttribute(PROTOCOL_VERSION, protocolVersion);
    setIfKnown(QUERY, query);
    setIfKnown(SERVER_ADDRESS, host);
    if (port > 0) {
      span.setAttribute(SERVER_PORT, (long) port);
    }
    setIfKnown(CLIENT_ADDRESS, client);
    setIfKnown(PEER_ADDRESS, peer);
    setIfKnown(USER_AGENT, userAgent);
  }

  private void setIfKnown(AttributeKey<String> key, String value) {
    if (value != null) {
      span.setAttribute(key, value);
    }
  }

  /**
   * The answer ended (or broke off): the span ends, once, whatever calls come after. A status of
   * 500 or more, or none, marks the span as an error (a SERVER span's 4xx is the client's).
   *
   * @param status the answer's status, 0 when none was sent (the client left, the answer broke off
   *     before its head)
   */
  public void end(int status) {
    if (ended) {
      return;
    }
    ended = true;
    if (span.isRecording()) {
      if (status > 0) {
        span.setAttribute(STATUS, (long) status);
      }
      if (status >= 500 || status <= 0) {
        span.setAttribute(ERROR_TYPE, status <= 0 ? "incomplete" : Integer.toString(status));
        span.setStatus(StatusCode.ERROR);
      }
    }
    span.end();
  }
}
