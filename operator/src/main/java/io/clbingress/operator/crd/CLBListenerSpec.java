package io.clbingress.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** {@code spec} of a CLBListener. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CLBListenerSpec {

  /** Listener protocols. */
  public enum Protocol { HTTP, HTTPS, TCP, TCP_SSL }

  @Required
  @Min(1)
  @Max(65535)
  @PrinterColumn(name = "Port")
  @JsonPropertyDescription("Port the data plane listens on; unique per data plane.")
  public Integer port;

  @Required
  @PrinterColumn(name = "Protocol")
  @JsonPropertyDescription("HTTP, HTTPS, TCP or TCP_SSL.")
  public Protocol protocol;

  @JsonPropertyDescription("Required for HTTPS and TCP_SSL.")
  public Certificate certificate;

  @JsonPropertyDescription("HTTPS only: offer h2 via ALPN. Default: false.")
  public Boolean http2;

  @JsonPropertyDescription("Host used when none matches; omit to answer 404 to unknown hosts.")
  public String defaultDomain;

  @JsonPropertyDescription("Layer-7 settings for every rule of this listener and the Ingresses bound to it.")
  public Defaults defaults;

  @JsonPropertyDescription("HTTP and HTTPS: forwarding rules, alongside bound Ingresses.")
  public List<ForwardingRule> rules;

  @JsonPropertyDescription("TCP and TCP_SSL: the one backend Service.")
  public Backend backend;

  @JsonPropertyDescription("Every connection starts with a PROXY protocol header, v1 or v2, as a layer-4 load balancer"
      + " in front sends it (HAProxy send-proxy, send-proxy-v2); its source address is the client, and the peer"
      + " for --trusted-proxies, when the socket's peer is in --trusted-proxies or that flag is unset (else the"
      + " header is read but the socket's address is the client). A connection without a valid header within"
      + " clientHeaderTimeout of its accept is closed."
      + " Any protocol; for TLS listeners the header comes before TLS. Default: false.")
  public Boolean proxyProtocol;

  @JsonPropertyDescription("TCP and TCP_SSL: write a PROXY protocol header (v1 text, v2 binary) with the client's"
      + " address and port to the backend before any data, for backends that read one. Default: none.")
  public ProxyProtocolVersion backendProxyProtocol;

  /** A version of the PROXY protocol, named as HAProxy's documentation does. */
  public enum ProxyProtocolVersion {
    @JsonProperty("v1") V1,
    @JsonProperty("v2") V2
  }

  /** The certificate of an HTTPS or TCP_SSL listener. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Certificate {
    /** Client certificate handling. */
    public enum Mode { UNIDIRECTIONAL, MUTUAL }

    @Required
    @JsonPropertyDescription("A kubernetes.io/tls Secret in the listener's namespace.")
    public String secretName;

    @JsonPropertyDescription("UNIDIRECTIONAL, or MUTUAL (client certificates required). Default: UNIDIRECTIONAL.")
    public Mode mode;

    @JsonPropertyDescription("MUTUAL only: Secret with key ca.crt.")
    public String caSecretName;
  }

  /** Layer-7 defaults of a listener. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Defaults {
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Longest wait between two reads from the backend, 1-3600 s; also the WebSocket and TCP idle"
        + " timeout. For rules and bound Ingresses that set none. Default: the controller's --proxy-read-timeout (60s).")
    public String proxyReadTimeout;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Longest wait between two writes to the backend, 1-3600 s. For rules and bound Ingresses"
        + " that set none. Default: the controller's --proxy-send-timeout (60s).")
    public String proxySendTimeout;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Connect to a backend endpoint, 1-120 s. For rules and bound Ingresses that set none."
        + " Default: the controller's --proxy-connect-timeout (5s).")
    public String proxyConnectTimeout;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("Client keep-alive, 0-900 s; 0 closes after each response. Default: 75s.")
    public String keepaliveTimeout;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("The whole request head must arrive within this, 1-3600 s; else 408. Default: 60s.")
    public String clientHeaderTimeout;
    @io.fabric8.generator.annotation.Pattern(Sizes.PATTERN)
    @JsonPropertyDescription("Larger request bodies get 413, e.g. 10Mi. Default: no limit.")
    public String clientMaxBodySize;
    @io.fabric8.generator.annotation.Pattern(Sizes.PATTERN)
    @JsonPropertyDescription("Longest HTTP/1.x request line (method, target, version), 1Ki-64Ki bytes; longer gets 414."
        + " Default 16Ki (the data plane's --max-request-line-bytes).")
    public String maxRequestLineBytes;
    @io.fabric8.generator.annotation.Pattern(Sizes.PATTERN)
    @JsonPropertyDescription("Largest HTTP/1.x header block (all header lines), 4Ki-256Ki bytes; larger gets 431."
        + " Default 64Ki (the data plane's --max-header-bytes).")
    public String maxHeaderBytes;
    @JsonPropertyDescription("TLS versions offered by HTTPS and TCP_SSL listeners. Default: [TLSv1.2, TLSv1.3].")
    public List<TlsProtocol> sslProtocols;
    @JsonPropertyDescription("HTTP and HTTPS: compress answers with gzip for clients that ask for it, as"
        + " ingress-nginx's use-gzip. Default: none.")
    public Gzip gzip;
  }

  /** Compression of a listener's answers, as ingress-nginx's use-gzip, gzip-min-length and gzip-types. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Gzip {
    @JsonPropertyDescription("true compresses answers of the listed types for clients whose Accept-Encoding takes"
        + " gzip; never answers already encoded, partial (206) or bodiless, never WebSocket or TCP. Default: false.")
    public Boolean enabled;
    @Min(0)
    @JsonPropertyDescription("Answers with a Content-Length under this many bytes are sent as they are; answers of"
        + " unknown length are compressed. Default: 256 (ingress-nginx's gzip-min-length).")
    public Long minLength;
    @JsonPropertyDescription("Media types (type/subtype, no parameters) compressed; [\"*\"] for all; text/html"
        + " always is. Default: ingress-nginx's gzip-types list (JSON, JavaScript, CSS, plain text, XML, SVG...).")
    public List<String> types;
  }

  /** TLS protocol versions, named as in the spec ({@code TLSv1.2}). */
  public enum TlsProtocol {
    @JsonProperty("TLSv1") TLSv1,
    @JsonProperty("TLSv1.1") TLSv1_1,
    @JsonProperty("TLSv1.2") TLSv1_2,
    @JsonProperty("TLSv1.3") TLSv1_3
  }

  /** One forwarding rule of an HTTP or HTTPS listener. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ForwardingRule {
    /** Path match types, as in Ingress. */
    public enum PathType { Exact, Prefix, ImplementationSpecific }

    /** Load-balancing algorithms. */
    public enum Scheduler { WRR, LEAST_CONN, IP_HASH }

    @JsonPropertyDescription("Host to match: exact, or *.example.com for one DNS label; omit to match every host.")
    public String host;
    @Required
    @JsonPropertyDescription("Path to match, starting with /.")
    public String path;
    @JsonPropertyDescription("As in Ingress; ImplementationSpecific is treated as Prefix. Default: Prefix.")
    public PathType pathType;
    @JsonPropertyDescription("One backend; or use backends to split traffic by weight.")
    public Backend backend;
    @JsonPropertyDescription("Split traffic over Services by weight (a canary), instead of backend.")
    public List<WeightedBackend> backends;
    @JsonPropertyDescription("Load-balancing algorithm. Default: WRR.")
    public Scheduler scheduler;
    @JsonPropertyDescription("Sticky sessions by cookie (clb_session).")
    public SessionPersistence sessionPersistence;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("As spec.defaults.proxyReadTimeout, for this rule.")
    public String proxyReadTimeout;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("As spec.defaults.proxySendTimeout, for this rule.")
    public String proxySendTimeout;
    @io.fabric8.generator.annotation.Pattern(Durations.PATTERN)
    @JsonPropertyDescription("As spec.defaults.proxyConnectTimeout, for this rule.")
    public String proxyConnectTimeout;
    @JsonPropertyDescription("Active HTTP health check of every endpoint of the rule's Services.")
    public HealthCheck healthCheck;
    @JsonPropertyDescription("Answer with a redirect instead of forwarding (instead of backend and backends).")
    public Redirect redirect;
    @JsonPropertyDescription("Which client addresses the rule serves (as the whitelist-source-range and"
        + " denylist-source-range annotations); the others get 403.")
    public SourceRanges sourceRanges;
    @JsonPropertyDescription("Requests per second or minute per client address, per data plane replica (as limit-rps,"
        + " limit-rpm, limit-burst-multiplier, limit-whitelist).")
    public RateLimit rateLimit;
    @JsonPropertyDescription("Requests in progress at once per client address, per data plane replica (as"
        + " limit-connections).")
    public ConnectionLimit connectionLimit;
    @JsonPropertyDescription("Caps on the rule's WebSocket tunnels, per data plane replica (as max-tunnels and"
        + " max-tunnels-per-client).")
    public TunnelLimits tunnelLimits;
    @JsonPropertyDescription("Cross-origin requests answered at the edge (as enable-cors and the cors-* annotations).")
    public Cors cors;
  }

  /**
   * A rule's access list, as the {@code whitelist-source-range} and {@code denylist-source-range}
   * annotations ({@link io.clbingress.dataplane.table.SourceRanges}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SourceRanges {
    @JsonPropertyDescription("IPv4/IPv6 CIDRs or addresses served; empty or omitted: any not denied.")
    public List<String> allow;
    @JsonPropertyDescription("IPv4/IPv6 CIDRs or addresses refused (403), even when allow has them.")
    public List<String> deny;
  }

  /** A rule's rate limit, as the {@code limit-rps} annotations ({@link io.clbingress.dataplane.table.LocalRateLimit}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RateLimit {
    @Min(0)
    @Max(1_000_000)
    @JsonPropertyDescription("Requests per second per client address; 0 or omitted: none.")
    public Integer rps;
    @Min(0)
    @Max(60_000_000)
    @JsonPropertyDescription("Requests per minute per client address; 0 or omitted: none. With rps, a request must pass"
        + " both.")
    public Integer rpm;
    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("A client may send this many times the rate at once. Default: 5.")
    public Integer burstMultiplier;
    @JsonPropertyDescription("Client addresses or CIDRs never limited.")
    public List<String> exempt;
  }

  /** A rule's connection limit, as the {@code limit-connections} annotation ({@link io.clbingress.dataplane.table.ConnectionLimit}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ConnectionLimit {
    @Required
    @Min(1)
    @Max(10_000_000)
    @JsonPropertyDescription("Requests in progress at once per client address (an idle kept-alive connection does not"
        + " count; each HTTP/2 stream and each open WebSocket does).")
    public Integer connections;
    @JsonPropertyDescription("Client addresses or CIDRs never limited.")
    public List<String> exempt;
  }

  /** A rule's tunnel caps, as the {@code max-tunnels} annotations ({@link io.clbingress.dataplane.table.TunnelLimits}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TunnelLimits {
    @Min(0)
    @Max(10_000_000)
    @JsonPropertyDescription("WebSocket tunnels open at once through the rule; 0 or omitted: no cap.")
    public Integer maxTunnels;
    @Min(0)
    @Max(10_000_000)
    @JsonPropertyDescription("The same per client address; 0 or omitted: no cap.")
    public Integer maxTunnelsPerClient;
  }

  /** A rule's CORS, as {@code enable-cors} and the {@code cors-*} annotations ({@link io.clbingress.dataplane.table.Cors}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Cors {
    @JsonPropertyDescription("[\"*\"] or origins http(s)://host[:port], whose host may start with *. Default: [\"*\"].")
    public List<String> allowOrigins;
    @JsonPropertyDescription("Methods of Access-Control-Allow-Methods. Default: GET, PUT, POST, DELETE, PATCH, OPTIONS.")
    public List<String> allowMethods;
    @JsonPropertyDescription("Header names of Access-Control-Allow-Headers. Default: as the cors-allow-headers"
        + " annotation's.")
    public List<String> allowHeaders;
    @JsonPropertyDescription("Header names of Access-Control-Expose-Headers. Default: none.")
    public List<String> exposeHeaders;
    @JsonPropertyDescription("Send Access-Control-Allow-Credentials: true. Default: true.")
    public Boolean allowCredentials;
    @Min(0)
    @JsonPropertyDescription("Access-Control-Max-Age in seconds. Default: 1728000.")
    public Integer maxAgeSeconds;
  }

  /** A forwarding rule's redirect, as a CLB forwarding rule's and Gateway API's RequestRedirect. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Redirect {
    /** Redirect schemes. */
    public enum Scheme { http, https }

    @JsonPropertyDescription("http or https. Default: the request's.")
    public Scheme scheme;
    @JsonPropertyDescription("Host name or IP address. Default: the host the request named.")
    public String host;
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port; left out of the Location when it is the scheme's default. Default: the request's when"
        + " scheme and host are, else the scheme's default.")
    public Integer port;
    @JsonPropertyDescription("Path and query that replace the request's, starting with /. Default: the request's.")
    public String path;
    @Min(301)
    @Max(308)
    @JsonPropertyDescription("301, 302, 303, 307 or 308. Default: 302.")
    public Integer statusCode;
  }

  /** A Service backend. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backend {
    @Required
    @JsonPropertyDescription("The Service and its port.")
    public ServiceRef service;
  }

  /** A Service backend with a traffic weight. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class WeightedBackend {
    @Required
    @JsonPropertyDescription("The Service and its port.")
    public ServiceRef service;
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Share of the rule's traffic; 0 = none. Default: 1.")
    public Integer weight;
  }

  /** A Service and its port, by number or name. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ServiceRef {
    @Required
    @JsonPropertyDescription("A Service in the listener's namespace.")
    public String name;
    @Required
    @JsonPropertyDescription("The Service port, by number or name.")
    public ServicePort port;
  }

  /** A Service port: number or name. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ServicePort {
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port number of the Service.")
    public Integer number;
    @JsonPropertyDescription("Port name of the Service, instead of number.")
    public String name;
  }

  /** Sticky sessions by cookie. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SessionPersistence {
    @Min(0)
    @Max(86400)
    @JsonPropertyDescription("Cookie lifetime in seconds; 0 = off, else 30-86400. Default: 0.")
    public Integer ttlSeconds;
  }

  /** Active HTTP health check, with a cloud load balancer's ranges. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HealthCheck {
    @JsonPropertyDescription("false turns the check off. Default: true.")
    public Boolean enabled;
    @JsonPropertyDescription("Absolute path probed with GET. Default: /.")
    public String path;
    @Min(2)
    @Max(300)
    @JsonPropertyDescription("Seconds between two probes of an endpoint. Default: 5.")
    public Integer intervalSeconds;
    @Min(2)
    @Max(60)
    @JsonPropertyDescription("Seconds a probe may take; less than intervalSeconds. Default: 2.")
    public Integer timeoutSeconds;
    @Min(2)
    @Max(10)
    @JsonPropertyDescription("Passes in a row that bring an endpoint back. Default: 3.")
    public Integer healthyThreshold;
    @Min(2)
    @Max(10)
    @JsonPropertyDescription("Failures in a row that take an endpoint out of rotation. Default: 3.")
    public Integer unhealthyThreshold;
    @JsonPropertyDescription("Answers that pass, among 1xx, 2xx, 3xx, 4xx, 5xx. Default: [2xx, 3xx].")
    public List<String> httpCodes;
  }

  /** The size syntax: bytes, optionally with k, M, G, Ki, Mi or Gi. */
  static final class Sizes {
    static final String PATTERN = "^[0-9]+(Ki|Mi|Gi|k|M|G)?$";

    private Sizes() {
    }
  }

  /** The duration syntax shared with the annotations. */
  static final class Durations {
    static final String PATTERN = "^[0-9]+[smh]?$";

    private Durations() {
    }
  }
}
