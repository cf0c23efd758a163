package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * One port the data plane serves.
 *
 * @param port the port to bind; 0 means "the data plane's own port for this protocol"
 *     ({@code --http-port} / {@code --https-port}), which is how the default listeners are named
 *     without the operator knowing the data plane's flags
 * @param virtualHosts exact hosts, one-label wildcards ({@code *.example.com}) and at most one
 *     catch-all ({@code *}), each at most once
 * @param defaultRoute where requests go that no virtual host route matches; null answers 404
 * @param tls for HTTPS listeners with their own port: certificates, client certificates, ALPN;
 *     null otherwise (the default HTTPS listener offers every certificate of the table)
 * @param clientLimits keep-alive, request-head timeout and body limit; null for the defaults
 * @param proxyProtocol every connection starts with a PROXY protocol header, v1 or v2, whose source
 *     address is the client (CLBListener {@code spec.proxyProtocol}); a connection without a valid
 *     one is closed. Any protocol. False for the default listeners, which follow {@code --proxy-protocol}
 * @param backendProxyProtocol TCP and TCP_SSL only: the PROXY header written to the backend before
 *     any data, naming the client (CLBListener {@code spec.backendProxyProtocol}); null for none
 * @param gzip HTTP and HTTPS: compression of answers (CLBListener {@code spec.defaults.gzip}); null
 *     for none. The default listeners have none in the table: they follow {@code --gzip}
 */
public record Listener(String name, Protocol protocol, int port, List<VirtualHost> virtualHosts, Route defaultRoute,
    ListenerTls tls, @JsonInclude(JsonInclude.Include.NON_NULL) ClientLimits clientLimits,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean proxyProtocol,
    @JsonInclude(JsonInclude.Include.NON_NULL) ProxyProtocolVersion backendProxyProtocol,
    @JsonInclude(JsonInclude.Include.NON_NULL) Gzip gzip) {

  public static final int PORT_FROM_FLAGS = 0;

  /** A listener that compresses nothing. */
  public Listener(String name, Protocol protocol, int port, List<VirtualHost> virtualHosts, Route defaultRoute,
      ListenerTls tls, ClientLimits clientLimits, boolean proxyProtocol, ProxyProtocolVersion backendProxyProtocol) {
    this(name, protocol, port, virtualHosts, defaultRoute, tls, clientLimits, proxyProtocol, backendProxyProtocol, null);
  }

  /** This listener with its compression settings (null for none). */
  public Listener withGzip(Gzip gzip) {
    return new Listener(name, protocol, port, virtualHosts, defaultRoute, tls, clientLimits, proxyProtocol,
        backendProxyProtocol, gzip);
  }

  /** This listener's own settings: the same without its virtual hosts (what a change of settings is told by). */
  public Listener settingsOnly() {
    return withVirtualHosts(List.of());
  }

  /** This listener's settings with these virtual hosts. */
  public Listener withVirtualHosts(List<VirtualHost> hosts) {
    return new Listener(name, protocol, port, hosts, defaultRoute, tls, clientLimits, proxyProtocol,
        backendProxyProtocol, gzip);
  }

  public Listener(String name, Protocol protocol, int port, List<VirtualHost> virtualHosts, Route defaultRoute,
      ListenerTls tls, ClientLimits clientLimits) {
    this(name, protocol, port, virtualHosts, defaultRoute, tls, clientLimits, false, null);
  }

  /** This listener with its PROXY protocol settings. */
  public Listener withProxyProtocol(boolean proxyProtocol, ProxyProtocolVersion backendProxyProtocol) {
    return new Listener(name, protocol, port, virtualHosts, defaultRoute, tls, clientLimits, proxyProtocol,
        backendProxyProtocol, gzip);
  }

  public Listener(String name, Protocol protocol, int port, List<VirtualHost> virtualHosts, Route defaultRoute,
      ListenerTls tls) {
    this(name, protocol, port, virtualHosts, defaultRoute, tls, null);
  }

  /** The limits in force: its own, or the defaults. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public ClientLimits limits() {
    return clientLimits == null ? ClientLimits.DEFAULTS : clientLimits;
  }

  public Listener(String name, Protocol protocol, int port, List<VirtualHost> virtualHosts, Route defaultRoute) {
    this(name, protocol, port, virtualHosts, defaultRoute, null);
  }

  public Listener {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listener " + name + ": port out of range: " + port);
    }
    if (backendProxyProtocol != null && protocol != Protocol.TCP && protocol != Protocol.TCP_SSL) {
      throw new IllegalArgumentException("listener " + name + ": backendProxyProtocol is for TCP and TCP_SSL listeners, not "
          + protocol);
    }
    if (gzip != null && (protocol == Protocol.TCP || protocol == Protocol.TCP_SSL)) {
      throw new IllegalArgumentException("listener " + name + ": gzip is for HTTP and HTTPS listeners, not " + protocol);
    }
    virtualHosts = List.copyOf(virtualHosts);
    DistinctNames.require(virtualHosts, VirtualHost::host, "listener " + name + ": duplicate virtual host ");
  }
}
