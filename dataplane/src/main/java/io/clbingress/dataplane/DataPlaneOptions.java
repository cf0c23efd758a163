package io.clbingress.dataplane;

import io.clbingress.dataplane.accesslog.AccessLogOptions;
import io.clbingress.dataplane.proxy.Compression;
import io.clbingress.dataplane.proxy.RealIp;
import io.clbingress.dataplane.routing.LimitStatuses;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.tls.TlsEngine;
import io.clbingress.dataplane.tracing.TracingOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Start-up settings of a data plane.
 *
 * @param bindAddress address of the traffic listeners
 * @param httpPort port of the default HTTP listener; 0 picks a free one (tests)
 * @param httpsPort port of the default HTTPS listener; 0 picks a free one (tests)
 * @param adminAddress address of the admin port; loopback unless asked otherwise
 * @param adminPort 0 picks a free one; -1 disables the admin server
 * @param drain how long connections of a removed route may live on
 * @param eventLoops listener instances, one per event loop
 * @param tlsEngine who does the TLS work; falls back to the JDK's where BoringSSL cannot load
 * @param headLimits request line and header block limits of the default listeners, and of every
 *     CLBListener that sets none of its own ({@code --max-request-line-bytes}, {@code --max-header-bytes})
 * @param realIp who may name the client in a request header ({@code --trusted-proxies},
 *     {@code --forwarded-for-header}); {@link RealIp#NOBODY} by default
 * @param proxyProtocol the default HTTP and HTTPS listeners take a PROXY protocol header (v1 or v2)
 *     on every connection ({@code --proxy-protocol}); connections without one are closed
 * @param limitStatuses the answers of requests over a rate or connection limit
 *     ({@code --limit-req-status-code}, {@code --limit-conn-status-code}); 503 both by default
 * @param compression gzip of the default listeners' answers ({@code --gzip} ...) and the level of
 *     every listener's ({@code --gzip-level}); {@link Compression#OFF} by default
 * @param accessLog the access log's format ({@code --access-log}) and queue; {@link AccessLogOptions#OFF} in
 *     the constructors without it (tests), JSON from the command line
 * @param tracing spans of proxied requests exported over OTLP ({@code --otlp-endpoint},
 *     {@code --trace-sample-ratio}); {@link TracingOptions#OFF} by default
 * @param underscoresInHeaders client request headers whose names hold {@code _} go on to backends
 *     ({@code --enable-underscores-in-headers}, ingress-nginx's {@code enable-underscores-in-headers});
 *     false by default: they are dropped, as nginx's {@code underscores_in_headers off}
 */
public record DataPlaneOptions(String bindAddress, int httpPort, int httpsPort, String adminAddress, int adminPort,
    Duration drain, int eventLoops, TlsEngine tlsEngine, HeadLimits headLimits, RealIp realIp, boolean proxyProtocol,
    LimitStatuses limitStatuses, Compression compression, AccessLogOptions accessLog,
    TracingOptions tracing, boolean underscoresInHeaders) {

  /** Options with the default limit answers that compress nothing on the default listeners. */
  public DataPlaneOptions(String bindAddress, int httpPort, int httpsPort, String adminAddress, int adminPort,
      Duration drain, int eventLoops, TlsEngine tlsEngine, HeadLimits headLimits, RealIp realIp, boolean proxyProtocol) {
    this(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine, headLimits, realIp,
        proxyProtocol, LimitStatuses.DEFAULTS, Compression.OFF, AccessLogOptions.OFF,
        TracingOptions.OFF, false);
  }

  /** Options that trust no proxy and read no PROXY header. */
  public DataPlaneOptions(String bindAddress, int httpPort, int httpsPort, String adminAddress, int adminPort,
      Duration drain, int eventLoops, TlsEngine tlsEngine, HeadLimits headLimits) {
    this(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine, headLimits,
        RealIp.NOBODY, false, LimitStatuses.DEFAULTS, Compression.OFF, AccessLogOptions.OFF,
        TracingOptions.OFF, false);
  }

  /** Options with the default head limits ({@link HeadLimits#DEFAULTS}). */
  public DataPlaneOptions(String bindAddress, int httpPort, int httpsPort, String adminAddress, int adminPort,
      Duration drain, int eventLoops, TlsEngine tlsEngine) {
    this(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine, HeadLimits.DEFAULTS);
  }

  public DataPlaneOptions {
    Objects.requireNonNull(headLimits, "headLimits");
    Objects.requireNonNull(realIp, "realIp");
    Objects.requireNonNull(limitStatuses, "limitStatuses");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(accessLog, "accessLog");
    Objects.requireNonNull(tracing, "tracing");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(adminAddress, "adminAddress");
    Objects.requireNonNull(drain, "drain");
    Objects.requireNonNull(tlsEngine, "tlsEngine");
    if (eventLoops < 1) {
      throw new IllegalArgumentException("eventLoops must be at least 1: " + eventLoops);
    }
  }

  /** These options with {@code realIp} and {@code proxyProtocol} on the default listeners. */
  public DataPlaneOptions withClientAddress(RealIp realIp, boolean proxyProtocol) {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine,
        headLimits, realIp, proxyProtocol, limitStatuses, compression, accessLog, tracing,
        underscoresInHeaders);
  }

  /** These options with {@code limitStatuses} for the answers of limited requests. */
  public DataPlaneOptions withLimitStatuses(LimitStatuses limitStatuses) {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine,
        headLimits, realIp, proxyProtocol, limitStatuses, compression, accessLog, tracing,
        underscoresInHeaders);
  }

  /** These options with {@code compression} ({@code --gzip} ...). */
  public DataPlaneOptions withCompression(Compression compression) {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine,
        headLimits, realIp, proxyProtocol, limitStatuses, compression, accessLog, tracing,
        underscoresInHeaders);
  }

  /** These options with {@code accessLog} ({@code --access-log}). */
  public DataPlaneOptions withAccessLog(AccessLogOptions accessLog) {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine,
        headLimits, realIp, proxyProtocol, limitStatuses, compression, accessLog, tracing,
        underscoresInHeaders);
  }

  /** These options with {@code tracing} ({@code --otlp-endpoint}, {@code --trace-sample-ratio}). */
  public DataPlaneOptions withTracing(TracingOptions tracing) {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine,
        headLimits, realIp, proxyProtocol, limitStatuses, compression, accessLog, tracing,
        underscoresInHeaders);
  }

  /** These options with {@code underscoresInHeaders} ({@code --enable-underscores-in-headers}). */
  public DataPlaneOptions withUnderscoresInHeaders(boolean underscoresInHeaders) {
    return new DataPlaneOptions(bindAddress, httpPort, httpsPort, adminAddress, adminPort, drain, eventLoops, tlsEngine,
        headLimits, realIp, proxyProtocol, limitStatuses, compression, accessLog, tracing, underscoresInHeaders);
  }

  /** Loopback on free ports, for tests. */
  public static DataPlaneOptions loopback(Duration drain) {
    return new DataPlaneOptions("127.0.0.1", 0, 0, "127.0.0.1", 0, drain, 2, TlsEngine.OPENSSL);
  }
}
