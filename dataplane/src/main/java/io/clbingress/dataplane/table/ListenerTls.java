package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * TLS settings of an HTTPS listener.
 *
 * @param certificates names of {@link Certificate}s of the table offered by SNI (after the data
 *     plane's default certificate)
 * @param clientCaPem PEM certificates that client certificates must chain to (mutual TLS); null
 *     when no client certificate is asked for
 * @param http2 offer h2 by ALPN
 * @param protocols enabled TLS versions, e.g. TLSv1.2 and TLSv1.3
 */
public record ListenerTls(List<String> certificates, String clientCaPem, boolean http2, List<String> protocols) {

  public static final List<String> MODERN = List.of("TLSv1.2", "TLSv1.3");

  public ListenerTls {
    certificates = List.copyOf(certificates);
    protocols = protocols == null || protocols.isEmpty() ? MODERN : List.copyOf(protocols);
  }

  @JsonIgnore
  public boolean isMutual() {
    return clientCaPem != null;
  }
}
