package io.clbingress.dataplane.accesslog;

/**
 * The facts of one request and its answer, collected by the engine that serves it as they become
 * known (one object per exchange, on its event loop) and handed to {@link AccessLog#write} once
 * when the answer ends; formatted off the event loop. A fact never learnt stays null (or -1): a
 * 400 for an unparsable head has no route, an answer made at the edge no upstream.
 *
 * <p>Times are {@link System#nanoTime} readings; {@link #startMillis} is the wall clock when the head was read.
 */
public final class AccessRecord {

  long startMillis;
  long startNanos;
  long endNanos;
  String client;
  int clientPort = -1;
  String method;
  String host;
  String target;
  String protocol;
  int status;
  long bytesReceived;
  long bytesSent;
  String upstream;
  long upstreamStartNanos = -1;
  long upstreamConnectedNanos = -1;
  long upstreamHeaderNanos = -1;
  long upstreamEndNanos = -1;
  String route;
  String listener;
  String tlsVersion;
  String tlsCipher;
  String sni;
  String userAgent;
  String referer;
  String requestId;
  /** The route turned the log off (ingress-nginx's {@code enable-access-log: "false"}). */
  boolean off;

  AccessRecord(long startMillis, long startNanos) {
    this.startMillis = startMillis;
    this.startNanos = startNanos;
  }

  /**
   * What the request head says.
   *
   * @param client the client's address as {@link io.clbingress.dataplane.proxy.RealIp} found it, or null
   * @param clientPort the connection's peer port when the peer is the client, else -1
   * @param target the request target exactly as sent (path and query, or an absolute form)
   * @param protocol {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2.0}
   */
  public AccessRecord request(String client, int clientPort, String method, String host, String target,
      String protocol, String userAgent, String referer, String requestId) {
    this.client = client;
    this.clientPort = clientPort;
    this.method = method;
    this.host = host;
    this.target = target;
    this.protocol = protocol;
    this.userAgent = userAgent;
    this.referer = referer;
    this.requestId = requestId;
    return this;
  }

  /** The connection's TLS: its protocol version and cipher suite, and the SNI name the client sent (each may be null). */
  public AccessRecord tls(String version, String cipher, String sni) {
    this.tlsVersion = version;
    this.tlsCipher = cipher;
    this.sni = sni;
    return this;
  }

  /**
   * The listener the request came to and the route it matched.
   *
   * @param source the route's source ({@code Ingress ns/name}, as metrics name it), null for no route
   * @param logged false when the route turned the access log off
   */
  public void routed(String listener, String source, boolean logged) {
    this.listener = listener;
    this.route = source;
    this.off = !logged;
  }

  /** A connect to {@code endpoint} ({@code ip:port}) starts; a try after a failed one replaces the earlier one's facts. */
  public void upstreamConnecting(String endpoint) {
    upstream = endpoint;
    upstreamStartNanos = System.nanoTime();
    upstreamConnectedNanos = -1;
    upstreamHeaderNanos = -1;
    upstreamEndNanos = -1;
  }

  /** The backend connection is ready (a pooled one at once). */
  public void upstreamConnected() {
    upstreamConnectedNanos = System.nanoTime();
  }

  /** The backend's answer head came. */
  public void upstreamHeader() {
    upstreamHeaderNanos = System.nanoTime();
  }

  /** The backend's answer ended (or broke off). */
  public void upstreamEnded() {
    if (upstreamStartNanos >= 0 && upstreamEndNanos < 0) {
      upstreamEndNanos = System.nanoTime();
    }
  }

  /** Request body bytes read from the client. */
  public void received(long bytes) {
    bytesReceived += bytes;
  }

  /** Answer body bytes written to the client (after compression). */
  public void sent(long bytes) {
    bytesSent += bytes;
  }

  /**
   * The answer ended with {@code status} (0: none was sent; the client left first).
   *
   * @return false when the route turned the log off: nothing is to be written
   */
  boolean end(int status) {
    this.status = status;
    this.endNanos = System.nanoTime();
    upstreamEnded();
    return !off;
  }
}
