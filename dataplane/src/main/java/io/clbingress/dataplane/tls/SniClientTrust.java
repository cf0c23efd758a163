package io.clbingress.dataplane.tls;

import io.clbingress.dataplane.table.ClientCertificateAuth;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client CAs of the default HTTPS listener's hosts, by SNI name: a handshake whose name is a
 * host with client certificates (exactly, else by its one-label wildcard, else {@code *}: the
 * virtual host its requests would reach) gets that host's {@link ClientCertificateRequest}; any
 * other handshake, and one without SNI, gets none and is asked for no certificate
 * ({@link ClientAuthBySni}).
 */
final class SniClientTrust implements TrustOptions {

  private final Map<String, ClientCertificateAuth> byHost;
  private final Set<String> hosts;
  private final Map<String, TrustManager[]> managers = new HashMap<>();

  /**
   * @param byHost the hosts' policies by virtual host name ({@code name}, {@code *.suffix} or {@code *})
   * @param hosts every virtual host name of the listener, so that a name with a virtual host of
   *     its own is not taken for a wildcard's or {@code *}'s; may be empty when no policy is for
   *     a wildcard or {@code *}
   */
  SniClientTrust(Map<String, ClientCertificateAuth> byHost, Set<String> hosts) {
    this.byHost = Map.copyOf(byHost);
    this.hosts = Set.copyOf(hosts);
    byHost.forEach((host, auth) -> managers.put(host,
        new TrustManager[] {new ClientCertificateRequest(ClientVerification.certificates(auth.caPem()))}));
  }

  @Override
  public TrustOptions copy() {
    return this; // immutable
  }

  /** Handshakes without SNI: no client certificate asked for. */
  @Override
  public TrustManagerFactory getTrustManagerFactory(Vertx vertx) {
    return null;
  }

  @Override
  public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) {
    return name -> name == null ? null : managers.get(virtualHost(name.toLowerCase(Locale.ROOT)));
  }

  /** The name of the virtual host (among those with client certificates) a server name reaches, or null. */
  private String virtualHost(String name) {
    if (managers.containsKey(name) || hosts.contains(name)) {
      return name;
    }
    int dot = name.indexOf('.');
    String wildcard = dot > 0 ? "*" + name.substring(dot) : null;
    if (wildcard != null && (managers.containsKey(wildcard) || hosts.contains(wildcard))) {
      return wildcard;
    }
    return "*";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SniClientTrust that && byHost.equals(that.byHost) && hosts.equals(that.hosts);
  }

  @Override
  public int hashCode() {
    return byHost.hashCode() * 31 + hosts.hashCode();
  }
}
