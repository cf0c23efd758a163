package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.TableText;
import io.clbingress.dataplane.table.RequestRedirect;

import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.ListenerTls;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.SecretInfo;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import io.clbingress.operator.state.ObjectRef;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.dataplane.table.ProxyProtocolVersion;

/** Validation of a CLBListener's own fields (not its rules), and parsing of its durations. */
final class ListenerCheck {

  private ListenerCheck() {
  }

  /**
   * An acceptable listener's parsed settings.
   *
   * @param tls for HTTPS and TCP_SSL, its TLS settings (its certificate is {@code certificate}); else null
   * @param proxyProtocol connections start with a PROXY protocol header
   * @param backendProxyProtocol TCP and TCP_SSL: the PROXY header sent to the backend; else null
   * @param gzip HTTP and HTTPS: the compression of answers ({@code spec.defaults.gzip}); null for none
   */
  record Accepted(TimeoutOverrides defaults, ListenerTls tls, Certificate certificate, ClientLimits limits,
      boolean proxyProtocol, ProxyProtocolVersion backendProxyProtocol, Gzip gzip) {
  }

  /** Ranges of the client limits, in the shape annotation values are checked in. */
  private static final AnnotationSpec KEEPALIVE = new AnnotationSpec("keepaliveTimeout", AnnotationSpec.Type.DURATION,
      0, 900, List.of(), false, "75", "client keep-alive");
  private static final AnnotationSpec HEADER = new AnnotationSpec("clientHeaderTimeout", AnnotationSpec.Type.DURATION,
      1, 3600, List.of(), false, "60", "request head timeout");
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})(Ki|Mi|Gi|k|M|G)?");

  /**
   * @param portOwners listeners already holding a port (older ones first)
   * @return the listener's settings when it is acceptable, else null with problems added; an
   *     acceptable listener may still bring a problem for a field it serves without
   *     ({@code spec.backendProxyProtocol} on HTTP or HTTPS)
   */
  static Accepted accept(ListenerInfo listener, Map<Integer, ObjectRef> portOwners, Map<ObjectRef, SecretInfo> secrets,
      Instant now, List<Problem> problems) {
    int before = problems.size();
    ObjectRef ref = listener.ref();
    if (listener.protocol() == null) {
      problems.add(new Problem(ref, "spec.protocol", "is required (HTTP, HTTPS, TCP or TCP_SSL)"));
    } else if (isLayer4(listener) && listener.backend() == null) {
      problems.add(new Problem(ref, "spec.backend", "is required for " + listener.protocol()
          + " (the one Service its connections go to); the listener is not programmed"));
    }
    ListenerTls tls = null;
    Certificate certificate = null;
    if ("HTTPS".equals(listener.protocol()) || "TCP_SSL".equals(listener.protocol())) {
      ListenerInfo.Tls settings = listener.tls();
      if (settings == null || settings.secretName() == null) {
        problems.add(new Problem(ref, "spec.certificate.secretName", "is required for " + listener.protocol()
            + "; the listener is not programmed"));
      } else {
        certificate = CertificateCheck.certificate(ref, "spec.certificate.secretName", ref.namespace(),
            settings.secretName(), List.of(), "; the listener is not programmed", secrets, now, problems);
        String clientCa = "MUTUAL".equals(settings.mode()) ? clientCa(ref, settings, secrets, problems) : null;
        if (certificate != null) {
          // ALPN h2 is an HTTPS matter; a TCP_SSL listener passes bytes whatever protocol they carry.
          boolean http2 = "HTTPS".equals(listener.protocol()) && Boolean.TRUE.equals(settings.http2());
          tls = new ListenerTls(List.of(certificate.name()), clientCa, http2, settings.sslProtocols());
        }
      }
    }
    if (listener.port() == null || listener.port() < 1 || listener.port() > 65535) {
      problems.add(new Problem(ref, "spec.port", listener.port() + " is not a port (1-65535)"));
    } else if (portOwners.containsKey(listener.port())) {
      problems.add(new Problem(ref, "spec.port", "port " + listener.port() + " is already used by "
          + portOwners.get(listener.port()) + ", which is older; the listener is not programmed"));
    }
    if (listener.defaultDomain() != null && !listener.defaultDomain().isEmpty()
        && HttpRouteBuilder.normalizeHost(listener.defaultDomain()) == null) {
      problems.add(new Problem(ref, "spec.defaultDomain", "\"" + listener.defaultDomain()
          + "\" is not a DNS name or a wildcard of one label such as *.example.com; the listener is not programmed"));
    }
    TimeoutOverrides defaults = timeouts(ref, listener.defaults(), "spec.defaults", problems);
    ClientLimits limits = limits(ref, listener.limits(), problems);
    ProxyProtocolVersion backendProxyProtocol = backendProxyProtocol(ref, listener.backendProxyProtocol(), problems);
    if (problems.size() > before) {
      return null;
    }
    if (backendProxyProtocol != null && !isLayer4(listener)) {
      // Meaningless rather than dangerous: the listener serves, without it.
      problems.add(new Problem(ref, "spec.backendProxyProtocol", "is for TCP and TCP_SSL listeners (an HTTP backend"
          + " learns the client from X-Forwarded-For and X-Real-IP); ignored on " + listener.protocol()));
      backendProxyProtocol = null;
    }
    portOwners.put(listener.port(), ref);
    return new Accepted(defaults, tls, certificate, limits, Boolean.TRUE.equals(listener.proxyProtocol()),
        backendProxyProtocol, GzipCheck.gzip(ref, listener.gzip(), isLayer4(listener), problems));
  }

  /**
   * {@code spec.backendProxyProtocol}: {@code v1} or {@code v2} (the CRD's enum; a problem for
   * anything else, and the listener is not programmed: a backend that expects a header would read
   * the client's first bytes as a broken one).
   */
  private static ProxyProtocolVersion backendProxyProtocol(ObjectRef ref, String text, List<Problem> problems) {
    if (text == null) {
      return null;
    }
    switch (text) {
      case "v1":
        return ProxyProtocolVersion.V1;
      case "v2":
        return ProxyProtocolVersion.V2;
      default:
        problems.add(new Problem(ref, "spec.backendProxyProtocol", "\"" + TableText.printable(text)
            + "\" is not a PROXY protocol version (v1 or v2); the listener is not programmed"));
        return null;
    }
  }

  /** The listener's client limits; null when none is set (the data plane's defaults apply). */
  private static ClientLimits limits(ObjectRef ref, ListenerInfo.Limits texts, List<Problem> problems) {
    if (texts.equals(ListenerInfo.Limits.NONE)) {
      return null;
    }
    Long keepalive = seconds(ref, texts.keepalive(), "spec.defaults.keepaliveTimeout", KEEPALIVE, problems);
    Long header = seconds(ref, texts.header(), "spec.defaults.clientHeaderTimeout", HEADER, problems);
    Long body = bytes(ref, texts.maxBody(), "spec.defaults.clientMaxBodySize", problems);
    int line = headLimit(ref, texts.maxRequestLine(), "spec.defaults.maxRequestLineBytes", HeadLimits.MIN_LINE,
        HeadLimits.MAX_LINE, problems);
    int headers = headLimit(ref, texts.maxHeaders(), "spec.defaults.maxHeaderBytes", HeadLimits.MIN_HEADERS,
        HeadLimits.MAX_HEADERS, problems);
    ClientLimits defaults = ClientLimits.DEFAULTS;
    return new ClientLimits(keepalive == null ? defaults.keepaliveMillis() : keepalive * 1000,
        header == null ? defaults.headerMillis() : header * 1000, body == null ? defaults.maxBodyBytes() : body,
        line, headers);
  }

  /**
   * A request head limit ({@link HeadLimits}): a size of {@code min}-{@code max} bytes, else a
   * problem on {@code field}.
   *
   * @return the limit in bytes; 0 when not set (the data plane's flag applies) or wrong
   */
  private static int headLimit(ObjectRef ref, String text, String field, int min, int max, List<Problem> problems) {
    Long bytes = bytes(ref, text, field, problems);
    if (bytes == null) {
      return 0;
    }
    if (bytes < min || bytes > max) {
      problems.add(new Problem(ref, field, "\"" + text + "\" is out of range (" + (min >> 10) + "Ki–" + (max >> 10)
          + "Ki, " + min + "–" + max + " bytes)"));
      return 0;
    }
    return bytes.intValue();
  }

  /** {@code 10Mi}, {@code 512k}, {@code 1048576}; null when not set or not a size (then a problem on {@code field}). */
  private static Long bytes(ObjectRef ref, String text, String field, List<Problem> problems) {
    if (text == null) {
      return null;
    }
    Matcher matcher = SIZE.matcher(text.trim());
    if (!matcher.matches()) {
      problems.add(new Problem(ref, field, "\"" + text
          + "\" is not a size (a whole number of bytes, optionally with k, M, G, Ki, Mi or Gi, e.g. 10Mi)"));
      return null;
    }
    long unit = switch (matcher.group(2) == null ? "" : matcher.group(2)) {
      case "k" -> 1_000L;
      case "M" -> 1_000_000L;
      case "G" -> 1_000_000_000L;
      case "Ki" -> 1L << 10;
      case "Mi" -> 1L << 20;
      case "Gi" -> 1L << 30;
      default -> 1L;
    };
    try {
      return Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
    } catch (ArithmeticException overflow) {
      problems.add(new Problem(ref, field, "\"" + text + "\" is too large (more than " + Long.MAX_VALUE + " bytes)"));
      return null;
    }
  }

  /**
   * A rule's {@code redirect}: status 302 unless set (Gateway API's default); a problem on
   * {@code field} for a redirect that sets no part (a loop), a status other than 301, 302, 303,
   * 307, 308, a path that does not start with {@code /}, a host that is not a host name or IP
   * address, or a path with white space or control characters.
   *
   * @return the filter, or null after a problem
   */
  static RequestRedirect redirect(ObjectRef ref, ListenerInfo.Redirect written, String field, List<Problem> problems) {
    int status = written.statusCode() == null ? 302 : written.statusCode();
    if (!RequestRedirect.STATUS_CODES.contains(status)) {
      problems.add(new Problem(ref, field + ".statusCode", status + " is not one of 301, 302, 303, 307, 308; the rule is ignored"));
      return null;
    }
    if (written.scheme() == null && written.host() == null && written.port() == null && written.path() == null) {
      problems.add(new Problem(ref, field, "sets none of scheme, host, port and path, so it would send every"
          + " request back to itself; the rule is ignored"));
      return null;
    }
    if (written.path() != null && !written.path().startsWith("/")) {
      problems.add(new Problem(ref, field + ".path", "\"" + TableText.printable(written.path())
          + "\" does not start with /; the rule is ignored"));
      return null;
    }
    try {
      return new RequestRedirect(written.scheme(), written.host() == null ? null : written.host().toLowerCase(Locale.ROOT),
          written.port(), written.path(), status);
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(ref, field, e.getMessage() + "; the rule is ignored"));
      return null;
    }
  }

  /** TCP and TCP_SSL: connections to one Service, no HTTP routing. */
  static boolean isLayer4(ListenerInfo listener) {
    return "TCP".equals(listener.protocol()) || "TCP_SSL".equals(listener.protocol());
  }

  /** The CA of a MUTUAL listener: {@code ca.crt} of {@code caSecretName}, at least one certificate. */
  private static String clientCa(ObjectRef ref, ListenerInfo.Tls settings, Map<ObjectRef, SecretInfo> secrets,
      List<Problem> problems) {
    String field = "spec.certificate.caSecretName";
    if (settings.caSecretName() == null) {
      problems.add(new Problem(ref, field, "is required for mode MUTUAL; the listener is not programmed"));
      return null;
    }
    ObjectRef caRef = new ObjectRef("Secret", ref.namespace(), settings.caSecretName());
    SecretInfo secret = secrets.get(caRef);
    if (secret == null || secret.caPem() == null) {
      problems.add(new Problem(ref, field, caRef + (secret == null ? " not found" : " has no ca.crt")
          + "; the listener is not programmed"));
      return null;
    }
    try {
      if (CertificateFactory.getInstance("X.509").generateCertificates(
          new ByteArrayInputStream(secret.caPem().getBytes(StandardCharsets.UTF_8))).isEmpty()) {
        throw new CertificateException("no certificate");
      }
    } catch (CertificateException e) {
      problems.add(new Problem(ref, field, caRef + " ca.crt is not a PEM certificate (" + e.getMessage()
          + "); the listener is not programmed"));
      return null;
    }
    return secret.caPem();
  }

  /** Parses a layer of timeout texts; wrong ones become problems on {@code prefix.proxyReadTimeout} etc. */
  static TimeoutOverrides timeouts(ObjectRef ref, ListenerInfo.Timeouts texts, String prefix, List<Problem> problems) {
    return new TimeoutOverrides(
        seconds(ref, texts.read(), prefix + ".proxyReadTimeout", AnnotationSpec.PROXY_READ_TIMEOUT, problems),
        seconds(ref, texts.send(), prefix + ".proxySendTimeout", AnnotationSpec.PROXY_SEND_TIMEOUT, problems),
        seconds(ref, texts.connect(), prefix + ".proxyConnectTimeout", AnnotationSpec.PROXY_CONNECT_TIMEOUT, problems));
  }

  private static Long seconds(ObjectRef ref, String text, String field, AnnotationSpec spec, List<Problem> problems) {
    if (text == null) {
      return null;
    }
    AnnotationValue<Long> value = AnnotationParser.parseSeconds(field, text, spec);
    if (value instanceof AnnotationValue.Invalid<Long> invalid) {
      problems.add(new Problem(ref, field, invalid.reason()));
      return null;
    }
    return value.orElse(null);
  }
}
