package io.clbingress.operator.cli;

import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.AnnotationParser;
import io.clbingress.operator.translate.AnnotationSpec;
import io.clbingress.operator.translate.AnnotationValue;
import io.clbingress.operator.translate.Settings;
import picocli.CommandLine.Option;

/** Flags that steer translation, shared by the {@code operator} and {@code standalone} modes. */
public final class TranslationFlags {

  @Option(names = "--ingress-class", defaultValue = "${env:CLB_INGRESS_CLASS:-clb}", paramLabel = "NAME",
      description = "IngressClass served (env CLB_INGRESS_CLASS; default ${DEFAULT-VALUE}).")
  String ingressClass;

  @Option(names = "--proxy-read-timeout", defaultValue = "${env:CLB_PROXY_READ_TIMEOUT:-60}", paramLabel = "DURATION",
      description = "Read timeout (and WebSocket idle timeout) of routes that set none: 600, 600s, 10m, 1h (env CLB_PROXY_READ_TIMEOUT; default ${DEFAULT-VALUE}).")
  String proxyReadTimeout;

  @Option(names = "--proxy-send-timeout", defaultValue = "${env:CLB_PROXY_SEND_TIMEOUT:-60}", paramLabel = "DURATION",
      description = "Send timeout of routes that set none (env CLB_PROXY_SEND_TIMEOUT; default ${DEFAULT-VALUE}).")
  String proxySendTimeout;

  @Option(names = "--proxy-connect-timeout", defaultValue = "${env:CLB_PROXY_CONNECT_TIMEOUT:-5}", paramLabel = "DURATION",
      description = "Connect timeout of routes that set none (env CLB_PROXY_CONNECT_TIMEOUT; default ${DEFAULT-VALUE}).")
  String proxyConnectTimeout;

  @Option(names = "--default-cert", defaultValue = "${env:CLB_DEFAULT_CERT}", paramLabel = "NAMESPACE/NAME",
      description = "kubernetes.io/tls Secret whose certificate answers TLS handshakes without SNI or for an unknown "
          + "name, as ingress-nginx's --default-ssl-certificate (env CLB_DEFAULT_CERT; default: a self-signed one).")
  String defaultCert;

  /** Settings for translation, or an IllegalArgumentException naming the flag that is wrong. */
  Settings settings(boolean staticEndpoints) {
    long read = seconds("--proxy-read-timeout", proxyReadTimeout, AnnotationSpec.PROXY_READ_TIMEOUT);
    long send = seconds("--proxy-send-timeout", proxySendTimeout, AnnotationSpec.PROXY_SEND_TIMEOUT);
    long connect = seconds("--proxy-connect-timeout", proxyConnectTimeout, AnnotationSpec.PROXY_CONNECT_TIMEOUT);
    return new Settings(ingressClass, Timeouts.ofSeconds(read, send, connect), staticEndpoints, secret(defaultCert));
  }

  private static ObjectRef secret(String namespacedName) {
    if (namespacedName == null || namespacedName.isBlank()) {
      return null;
    }
    String[] parts = namespacedName.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("--default-cert \"" + namespacedName + "\" is not NAMESPACE/NAME");
    }
    return new ObjectRef("Secret", parts[0], parts[1]);
  }

  private static long seconds(String flag, String text, AnnotationSpec spec) {
    AnnotationValue<Long> value = AnnotationParser.parseSeconds(flag, text, spec);
    if (value instanceof AnnotationValue.Invalid<Long> invalid) {
      throw new IllegalArgumentException(flag + " " + invalid.reason());
    }
    return value.orElse(0L);
  }
}
