package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.operator.state.ObjectRef;
import java.util.Objects;

/**
 * Controller-wide inputs of translation (flags and Helm values).
 *
 * @param ingressClass the IngressClass name this controller serves
 * @param defaultTimeouts timeouts of routes that set none
 * @param staticEndpoints whether {@code clb.ingress.io/static-endpoints} on Services is honoured
 *     (standalone mode only)
 * @param defaultCertificate the {@code kubernetes.io/tls} Secret whose certificate answers TLS
 *     handshakes that match no name ({@code --default-cert}); null for a self-signed one
 */
public record Settings(String ingressClass, Timeouts defaultTimeouts, boolean staticEndpoints,
    ObjectRef defaultCertificate) {

  public static final String CONTROLLER = "clb.ingress.io/controller";
  public static final String DEFAULT_CLASS = "clb";
  public static final Timeouts BUILT_IN_TIMEOUTS = Timeouts.ofSeconds(60, 60, 5);

  public Settings {
    Objects.requireNonNull(ingressClass, "ingressClass");
    Objects.requireNonNull(defaultTimeouts, "defaultTimeouts");
  }

  public static Settings defaults() {
    return new Settings(DEFAULT_CLASS, BUILT_IN_TIMEOUTS, false, null);
  }

  public Settings withStaticEndpoints(boolean enabled) {
    return new Settings(ingressClass, defaultTimeouts, enabled, defaultCertificate);
  }

  public Settings withDefaultCertificate(ObjectRef secret) {
    return new Settings(ingressClass, defaultTimeouts, staticEndpoints, secret);
  }
}
