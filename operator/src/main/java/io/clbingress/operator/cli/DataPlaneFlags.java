package io.clbingress.operator.cli;

import io.clbingress.dataplane.DataPlaneOptions;
import io.clbingress.dataplane.NetTransport;
import io.clbingress.dataplane.accesslog.AccessLogFormat;
import io.clbingress.dataplane.accesslog.AccessLogOptions;
import io.clbingress.dataplane.proxy.Compression;
import io.clbingress.dataplane.proxy.RealIp;
import io.clbingress.dataplane.routing.LimitStatuses;
import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.tls.TlsEngine;
import io.clbingress.dataplane.tracing.TracingOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Flags of the data plane, shared by the {@code dataplane} and {@code standalone} modes. */
public final class DataPlaneFlags {

  @Option(names = "--http-port", defaultValue = "${env:CLB_HTTP_PORT:-8080}", paramLabel = "PORT",
      description = "Port of the default HTTP listener (env CLB_HTTP_PORT; default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--https-port", defaultValue = "${env:CLB_HTTPS_PORT:-8443}", paramLabel = "PORT",
      description = "Port of the default HTTPS listener (env CLB_HTTPS_PORT; default ${DEFAULT-VALUE}).")
  int httpsPort;

  @Option(names = "--admin-port", defaultValue = "${env:CLB_ADMIN_PORT:-9901}", paramLabel = "PORT",
      description = "Port of /healthz, /readyz and /config (env CLB_ADMIN_PORT; default ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--admin-address", defaultValue = "${env:CLB_ADMIN_ADDRESS:-127.0.0.1}", paramLabel = "IP",
      description = "Address of the admin port; 0.0.0.0 to expose it (env CLB_ADMIN_ADDRESS; default ${DEFAULT-VALUE}).")
  String adminAddress;

  @Option(names = "--bind-address", defaultValue = "${env:CLB_BIND_ADDRESS:-0.0.0.0}", paramLabel = "IP",
      description = "Address of the traffic listeners (env CLB_BIND_ADDRESS; default ${DEFAULT-VALUE}).")
  String bindAddress;

  @Option(names = "--drain-seconds", defaultValue = "${env:CLB_DRAIN_SECONDS:-30}", paramLabel = "S",
      description = "How long connections of a removed route live on (env CLB_DRAIN_SECONDS; default ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Option(names = "--event-loops", defaultValue = "${env:CLB_EVENT_LOOPS:-0}", paramLabel = "N",
      description = "Event loops serving traffic; 0 = one per core (env CLB_EVENT_LOOPS; default ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(names = "--transport", defaultValue = "${env:CLB_TRANSPORT:-auto}", paramLabel = "auto|epoll|io_uring|nio",
      description = "Socket transport: auto (io_uring where it can be used, else epoll, else nio), io_uring (Linux "
          + "5.14+; the fastest measured, README \"Socket transport\"), epoll (Linux) or nio (any platform). One that "
          + "cannot be used here (no Linux, an old kernel, a seccomp profile that refuses io_uring, as Kubernetes' "
          + "RuntimeDefault does) gives way to the next of io_uring, epoll, nio, logged with the reason: at info for "
          + "auto, as a warning for one asked for by name (env CLB_TRANSPORT; default ${DEFAULT-VALUE}).")
  String transport;

  @Option(names = "--tls-engine", defaultValue = "${env:CLB_TLS_ENGINE:-openssl}", paramLabel = "openssl|jdk",
      description = "TLS implementation of the listeners: openssl (BoringSSL, bundled for linux-x86_64; the JDK's is "
          + "used where it cannot load) or jdk (env CLB_TLS_ENGINE; default ${DEFAULT-VALUE}).")
  String tlsEngine;

  @Option(names = "--max-request-line-bytes", defaultValue = "${env:CLB_MAX_REQUEST_LINE_BYTES:-16384}",
      paramLabel = "BYTES", description = "Longest HTTP/1.x request line, 1024-65536 bytes; longer ones get 414. For the "
          + "default listeners and CLBListeners that set no spec.defaults.maxRequestLineBytes "
          + "(env CLB_MAX_REQUEST_LINE_BYTES; default ${DEFAULT-VALUE}).")
  int maxRequestLineBytes;

  @Option(names = "--max-header-bytes", defaultValue = "${env:CLB_MAX_HEADER_BYTES:-65536}", paramLabel = "BYTES",
      description = "Largest HTTP/1.x header block, 4096-262144 bytes; larger ones get 431. For the default listeners "
          + "and CLBListeners that set no spec.defaults.maxHeaderBytes (env CLB_MAX_HEADER_BYTES; default ${DEFAULT-VALUE}).")
  int maxHeaderBytes;

  @Option(names = "--trusted-proxies", defaultValue = "${env:CLB_TRUSTED_PROXIES}", paramLabel = "CIDR,...",
      description = "Proxies and load balancers in front of the data plane, as IPv4/IPv6 addresses or CIDR blocks. "
          + "From a peer in this list, the client is the right-most address of --forwarded-for-header that is not "
          + "in it (nginx realip with real_ip_recursive on); from any other peer, a client's X-Forwarded-For and "
          + "X-Real-IP are replaced. On a listener that takes the PROXY protocol, the header is still required "
          + "from every peer, but its address names the client only from a peer in this list (nginx's "
          + "set_real_ip_from with real_ip_header proxy_protocol); from any other, the socket's address is the "
          + "client. Unset trusts nobody's X-Forwarded-For, and then the listener's PROXY protocol opt-in is the "
          + "trust: every peer's PROXY header is believed (env CLB_TRUSTED_PROXIES).")
  String trustedProxies;

  @Option(names = "--forwarded-for-header", defaultValue = "${env:CLB_FORWARDED_FOR_HEADER:-X-Forwarded-For}",
      paramLabel = "NAME", description = "The request header a trusted proxy names the client in "
          + "(ingress-nginx's forwarded-for-header) (env CLB_FORWARDED_FOR_HEADER; default ${DEFAULT-VALUE}).")
  String forwardedForHeader;

  @Option(names = "--proxy-protocol", defaultValue = "${env:CLB_PROXY_PROTOCOL:-false}", arity = "0..1",
      paramLabel = "true|false", description = "The default HTTP and HTTPS listeners take a PROXY protocol header "
          + "(v1 or v2) on every connection, as a layer-4 load balancer sends it; its source address is the client "
          + "(from a peer in --trusted-proxies when that is set). "
          + "Connections without one are closed (env CLB_PROXY_PROTOCOL; default ${DEFAULT-VALUE}).")
  boolean proxyProtocol;

  @Option(names = "--limit-req-status-code", defaultValue = "${env:CLB_LIMIT_REQ_STATUS_CODE:-503}", paramLabel = "CODE",
      description = "The status of a request refused by its route's rate limit (limit-rps, limit-rpm), 400-599 "
          + "(ingress-nginx's limit-req-status-code) (env CLB_LIMIT_REQ_STATUS_CODE; default ${DEFAULT-VALUE}).")
  int limitReqStatusCode;

  @Option(names = "--limit-conn-status-code", defaultValue = "${env:CLB_LIMIT_CONN_STATUS_CODE:-503}",
      paramLabel = "CODE", description = "The status of a request refused by its route's connection limit "
          + "(limit-connections), 400-599 (ingress-nginx's limit-conn-status-code) (env CLB_LIMIT_CONN_STATUS_CODE; "
          + "default ${DEFAULT-VALUE}).")
  int limitConnStatusCode;

  @Option(names = "--enable-underscores-in-headers", defaultValue = "${env:CLB_ENABLE_UNDERSCORES_IN_HEADERS:-false}",
      arity = "0..1", paramLabel = "true|false", description = "Client request headers whose names hold an "
          + "underscore (X_Forwarded_For, X-Auth_User) go on to backends (ingress-nginx's "
          + "enable-underscores-in-headers). Off: they are dropped, on HTTP/1.x and HTTP/2 and WebSocket upgrades "
          + "alike, as nginx's underscores_in_headers off, since a backend that reads _ as - (CGI, PHP, Django) "
          + "would take them for the proxy's own headers (env CLB_ENABLE_UNDERSCORES_IN_HEADERS; "
          + "default ${DEFAULT-VALUE}).")
  boolean enableUnderscoresInHeaders;

  @Option(names = "--gzip", defaultValue = "${env:CLB_GZIP:-false}", arity = "0..1", paramLabel = "true|false",
      description = "The default HTTP and HTTPS listeners compress answers with gzip for clients that ask for it "
          + "(Accept-Encoding), by --gzip-types and --gzip-min-length (ingress-nginx's use-gzip) "
          + "(env CLB_GZIP; default ${DEFAULT-VALUE}).")
  boolean gzip;

  @Option(names = "--gzip-min-length", defaultValue = "${env:CLB_GZIP_MIN_LENGTH:-256}", paramLabel = "BYTES",
      description = "Answers with a Content-Length under this are not compressed; answers of unknown length are "
          + "(ingress-nginx's gzip-min-length) (env CLB_GZIP_MIN_LENGTH; default ${DEFAULT-VALUE}).")
  long gzipMinLength;

  @Option(names = "--gzip-types", defaultValue = "${env:CLB_GZIP_TYPES}", paramLabel = "TYPE ...",
      description = "Media types compressed, separated by spaces or commas; * for all; text/html always is "
          + "(ingress-nginx's gzip-types). Unset: ingress-nginx's default list (env CLB_GZIP_TYPES).")
  String gzipTypes;

  @Option(names = "--gzip-level", defaultValue = "${env:CLB_GZIP_LEVEL:-1}", paramLabel = "1-9",
      description = "Deflate level of every listener that compresses: 1 fastest, 9 smallest (ingress-nginx's "
          + "gzip-level) (env CLB_GZIP_LEVEL; default ${DEFAULT-VALUE}).")
  int gzipLevel;

  @Option(names = "--enable-brotli", defaultValue = "${env:CLB_ENABLE_BROTLI:-false}", arity = "0..1",
      paramLabel = "true|false", description = "The default HTTP and HTTPS listeners compress answers with Brotli "
          + "(RFC 7932) for clients that ask for br, by --brotli-types and --brotli-min-length; with --gzip too, the "
          + "coding the client weighs higher wins, Brotli on a tie (ingress-nginx's enable-brotli) "
          + "(env CLB_ENABLE_BROTLI; default ${DEFAULT-VALUE}).")
  boolean brotli;

  @Option(names = "--brotli-level", defaultValue = "${env:CLB_BROTLI_LEVEL:-4}", paramLabel = "0-11",
      description = "Brotli quality: 0 fastest, 11 smallest (ingress-nginx's brotli-level) "
          + "(env CLB_BROTLI_LEVEL; default ${DEFAULT-VALUE}).")
  int brotliLevel;

  @Option(names = "--brotli-min-length", defaultValue = "${env:CLB_BROTLI_MIN_LENGTH:-20}", paramLabel = "BYTES",
      description = "Answers with a Content-Length under this are not compressed with Brotli; answers of unknown "
          + "length are (ingress-nginx's brotli-min-length) (env CLB_BROTLI_MIN_LENGTH; default ${DEFAULT-VALUE}).")
  long brotliMinLength;

  @Option(names = "--brotli-types", defaultValue = "${env:CLB_BROTLI_TYPES}", paramLabel = "TYPE ...",
      description = "Media types compressed with Brotli, separated by spaces or commas; * for all; text/html always "
          + "is (ingress-nginx's brotli-types). Unset: the same default list as --gzip-types (env CLB_BROTLI_TYPES).")
  String brotliTypes;

  @Option(names = "--access-log", defaultValue = "${env:CLB_ACCESS_LOG:-json}", paramLabel = "off|json|text",
      description = "One line per request and per closed tunnel on the logger clb.access (standard output): a JSON "
          + "object, an nginx combined-like text line, or nothing (docs/access-log.md; ingress-nginx's "
          + "disable-access-log) (env CLB_ACCESS_LOG; default ${DEFAULT-VALUE}).")
  String accessLog;

  @Option(names = "--otlp-endpoint", defaultValue = "${env:CLB_OTLP_ENDPOINT}", paramLabel = "URL",
      description = "OTLP/HTTP receiver (an OpenTelemetry collector's, e.g. http://collector:4318) that spans of "
          + "proxied requests are sent to, as protobuf, at its /v1/traces. Set, every request sent to a backend gets "
          + "a span (unless its Ingress says enable-opentelemetry: \"false\") and the backend a traceparent naming "
          + "it; unset, nothing is traced and traceparent passes through unchanged (env CLB_OTLP_ENDPOINT).")
  String otlpEndpoint;

  @Option(names = "--trace-sample-ratio", defaultValue = "${env:CLB_TRACE_SAMPLE_RATIO:-0.01}", paramLabel = "0.0-1.0",
      description = "Share of the traces started at the data plane that are sampled (exported); a request whose "
          + "traceparent says sampled or not is sampled as it says (parentbased(traceidratio); ingress-nginx's "
          + "otel-sampler-ratio, whose default this is) (env CLB_TRACE_SAMPLE_RATIO; default ${DEFAULT-VALUE}).")
  double traceSampleRatio;

  /** The first flag that is out of range, as a one-line message, or null. */
  String invalid() {
    if (!isPort(httpPort)) {
      return "--http-port " + httpPort + ": not a port (1-65535)";
    }
    if (!isPort(httpsPort)) {
      return "--https-port " + httpsPort + ": not a port (1-65535)";
    }
    if (!isPort(adminPort)) {
      return "--admin-port " + adminPort + ": not a port (1-65535)";
    }
    if (drainSeconds < 0) {
      return "--drain-seconds " + drainSeconds + ": must not be negative";
    }
    if (eventLoops < 0) {
      return "--event-loops " + eventLoops + ": must not be negative";
    }
    if (!HeadLimits.lineInRange(maxRequestLineBytes)) {
      return "--max-request-line-bytes " + maxRequestLineBytes + ": out of range (" + HeadLimits.MIN_LINE + "-"
          + HeadLimits.MAX_LINE + ")";
    }
    if (!HeadLimits.headersInRange(maxHeaderBytes)) {
      return "--max-header-bytes " + maxHeaderBytes + ": out of range (" + HeadLimits.MIN_HEADERS + "-"
          + HeadLimits.MAX_HEADERS + ")";
    }
    try {
      realIp();
    } catch (IllegalArgumentException e) {
      return (e.getMessage().contains("header name") ? "--forwarded-for-header " + forwardedForHeader
          : "--trusted-proxies " + trustedProxies) + ": " + e.getMessage();
    }
    if (!isLimitStatus(limitReqStatusCode)) {
      return "--limit-req-status-code " + limitReqStatusCode + ": not a status 400-599";
    }
    if (!isLimitStatus(limitConnStatusCode)) {
      return "--limit-conn-status-code " + limitConnStatusCode + ": not a status 400-599";
    }
    try {
      gzipSettings();
    } catch (IllegalArgumentException e) {
      return (e.getMessage().contains("minLength") ? "--gzip-min-length " + gzipMinLength
          : "--gzip-types " + gzipTypes) + ": " + e.getMessage();
    }
    try {
      brotliSettings();
    } catch (IllegalArgumentException e) {
      return (e.getMessage().contains("minLength") ? "--brotli-min-length " + brotliMinLength
          : "--brotli-types " + brotliTypes) + ": " + e.getMessage().replaceFirst("^gzip ", "brotli ");
    }
    try {
      compression();
    } catch (IllegalArgumentException e) {
      return (e.getMessage().contains("brotli") ? "--brotli-level " + brotliLevel : "--gzip-level " + gzipLevel)
          + ": " + e.getMessage();
    } catch (IllegalStateException e) {
      return "--enable-brotli: " + e.getMessage();
    }
    try {
      AccessLogFormat.parse(accessLog);
    } catch (IllegalArgumentException e) {
      return "--access-log " + accessLog + ": must be off, json or text";
    }
    try {
      tracing();
    } catch (IllegalArgumentException e) {
      return (e.getMessage().contains("ratio") ? "--trace-sample-ratio " + traceSampleRatio
          : "--otlp-endpoint " + otlpEndpoint) + ": " + e.getMessage();
    }
    if (!List.of("openssl", "jdk").contains(tlsEngine)) {
      return "--tls-engine " + tlsEngine + ": must be openssl or jdk";
    }
    try {
      NetTransport.parse(transport);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  /** {@code --transport}, once {@link #invalid} has found it valid. */
  NetTransport transport() {
    return NetTransport.parse(transport);
  }

  int eventLoopCount() {
    return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
  }

  DataPlaneOptions options() {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, Duration.ofSeconds(drainSeconds),
        eventLoopCount(), TlsEngine.valueOf(tlsEngine.toUpperCase(Locale.ROOT)),
        new HeadLimits(maxRequestLineBytes, maxHeaderBytes)).withClientAddress(realIp(), proxyProtocol)
        .withLimitStatuses(new LimitStatuses(limitReqStatusCode, limitConnStatusCode))
        .withCompression(compression()).withAccessLog(AccessLogOptions.of(AccessLogFormat.parse(accessLog)))
        .withTracing(tracing()).withUnderscoresInHeaders(enableUnderscoresInHeaders);
  }

  /** {@code --otlp-endpoint} and {@code --trace-sample-ratio}; the ratio is checked even when tracing is off. */
  private TracingOptions tracing() {
    URI endpoint;
    try {
      endpoint = otlpEndpoint == null || otlpEndpoint.isBlank() ? null : new URI(otlpEndpoint.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage(), e);
    }
    return new TracingOptions(endpoint, traceSampleRatio);
  }

  /** nginx's limit_req_status and limit_conn_status take 400-599. */
  private static boolean isLimitStatus(int status) {
    return status >= 400 && status <= 599;
  }

  /** {@code --gzip}, {@code --enable-brotli} and their settings; types and lengths are checked even when off. */
  private Compression compression() {
    Gzip gzipped = gzipSettings();
    Gzip brotlied = brotliSettings();
    return Compression.of(gzip ? gzipped : null, gzipLevel, brotli ? brotlied : null, brotliLevel);
  }

  private Gzip gzipSettings() {
    return new Gzip(gzipMinLength, types(gzipTypes));
  }

  private Gzip brotliSettings() {
    return new Gzip(brotliMinLength, types(brotliTypes));
  }

  /** A types flag's list; ingress-nginx's default list when unset. */
  private static List<String> types(String flag) {
    return flag == null || flag.isBlank() ? Gzip.DEFAULT_TYPES : List.of(flag.trim().split("[\\s,]+"));
  }

  private RealIp realIp() {
    return RealIp.parse(trustedProxies, forwardedForHeader);
  }

  private static boolean isPort(int port) {
    return port >= 1 && port <= 65535;
  }
}
