package io.clbingress.operator.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.ClientLimits;
import io.clbingress.dataplane.table.HeadLimits;
import io.clbingress.operator.state.BackendRef;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Properties of a CLBListener's own fields (port, protocol, certificate references and the
 * Secrets behind them, durations and sizes of {@code spec.defaults}): whatever they hold, the
 * listener gets its settings or problems that name it and the field, never an exception; a
 * listener whose every field is valid by the documented rules is accepted, and its values
 * arrive unchanged (in milliseconds and bytes). Inputs come from a fixed seed.
 */
class ListenerCheckPropertiesTest {

  private static final ObjectRef REF = new ObjectRef("CLBListener", "apps", "edge");
  private static final Instant NOW = Instant.parse("2027-06-01T00:00:00Z");
  private static final Set<String> FIELDS = Set.of("spec.protocol", "spec.backend", "spec.port", "spec.defaultDomain",
      "spec.certificate.secretName", "spec.certificate.caSecretName", "spec.defaults.proxyReadTimeout",
      "spec.defaults.proxySendTimeout", "spec.defaults.proxyConnectTimeout", "spec.defaults.keepaliveTimeout",
      "spec.defaults.clientHeaderTimeout", "spec.defaults.clientMaxBodySize", "spec.defaults.maxRequestLineBytes",
      "spec.defaults.maxHeaderBytes");
  private static final List<String> PIECES = List.of("1", "4", "16", "64", "256", "1024", "4096", "65536", "Ki", "Mi",
      "Gi", "k", "M", "G", "K", "KB", "s", "m", "h", "ms", "0", "900", "901", "120", "121", "3600");
  private static final List<String> PEM_PIECES = List.of("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
      "-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n", "MIIB", "AAAA", "====", "%%", "\n", "");
  /** Trimmed as {@link String#trim()}: what the parsers ignore around a value. */
  private static final Pattern TRIMMED = Pattern.compile("[\\x00-\\x20]*(.*?)[\\x00-\\x20]*", Pattern.DOTALL);

  @Test
  void anyListenerGetsItsSettingsOrProblemsNamingItAndTheField() {
    Inputs in = new Inputs(11, PIECES);
    int accepted = 0;
    for (int i = 0; i < 10_000; i++) {
      ListenerInfo listener = listener(in);
      Map<ObjectRef, SecretInfo> secrets = secrets(in);
      List<Problem> problems = new ArrayList<>();
      ListenerCheck.Accepted settings = ListenerCheck.accept(listener, new HashMap<>(), secrets, NOW, problems);
      String input = Inputs.visible(listener + " " + secrets);
      assertThat(settings == null).as(input).isEqualTo(!problems.isEmpty());
      for (Problem problem : problems) {
        assertThat(problem.object()).as(input).isEqualTo(REF);
        assertThat(problem.field()).as(input).isIn(FIELDS);
      }
      if (!needsTls(listener)) {
        assertThat(settings != null).as(input).isEqualTo(valid(listener));
      }
      if (settings != null && !needsTls(listener)) {
        accepted++;
        assertRoundTrip(listener, settings);
      }
    }
    assertThat(accepted).as("valid listeners among the inputs").isGreaterThan(100);
  }

  @Test
  void sizesAtTheirBoundaries() {
    assertThat(size("maxRequestLineBytes", "1Ki")).isEqualTo(1024);
    assertThat(size("maxRequestLineBytes", " 64Ki\t")).isEqualTo(65536);
    assertThat(size("maxRequestLineBytes", "1023")).isNull();
    assertThat(size("maxRequestLineBytes", "65537")).isNull();
    assertThat(size("maxHeaderBytes", "4Ki")).isEqualTo(4096);
    assertThat(size("maxHeaderBytes", "256Ki")).isEqualTo(262144);
    assertThat(size("maxHeaderBytes", "256Mi")).isNull();
    assertThat(size("clientMaxBodySize", "0")).isEqualTo(0); // no limit, as nginx's client_max_body_size 0
    assertThat(size("clientMaxBodySize", "10Mi")).isEqualTo(10L << 20);
    assertThat(size("clientMaxBodySize", "512k")).isEqualTo(512_000);
    assertThat(size("clientMaxBodySize", "999999999999999Gi")).isNull(); // overflow: a problem, not a wrap
    for (String wrong : List.of("-1", "+1", "1.5", "1e3", "10 Mi", "10mi", "\u0661\u0660", "\uff11\uff10",
        "10KB", "")) {
      assertThat(size("clientMaxBodySize", wrong)).as(wrong).isNull();
    }
  }

  private static Long size(String field, String text) {
    ListenerInfo.Limits limits = switch (field) {
      case "maxRequestLineBytes" -> new ListenerInfo.Limits(null, null, null, text, null);
      case "maxHeaderBytes" -> new ListenerInfo.Limits(null, null, null, null, text);
      default -> new ListenerInfo.Limits(null, null, text, null, null);
    };
    List<Problem> problems = new ArrayList<>();
    ListenerCheck.Accepted settings = ListenerCheck.accept(new ListenerInfo(REF, 1, NOW, 8080, "HTTP", null, null, limits,
        List.of(), null, null), new HashMap<>(), Map.of(), NOW, problems);
    if (settings == null) {
      assertThat(problems).singleElement().satisfies(p -> {
        assertThat(p.field()).isEqualTo("spec.defaults." + field);
        assertThat(p.reason()).contains("\"" + text + "\"");
      });
      return null;
    }
    ClientLimits set = settings.limits();
    return switch (field) {
      case "maxRequestLineBytes" -> (long) set.maxRequestLineBytes();
      case "maxHeaderBytes" -> (long) set.maxHeaderBytes();
      default -> set.maxBodyBytes();
    };
  }

  private static ListenerInfo listener(Inputs in) {
    String protocol = in.oneOf(java.util.Arrays.asList("HTTP", "HTTPS", "TCP", "TCP_SSL", null));
    Integer port = in.integer(0, 1, 80, 8080, 65535, 65536);
    ListenerInfo.Timeouts timeouts = in.random().nextBoolean() ? ListenerInfo.Timeouts.NONE
        : new ListenerInfo.Timeouts(maybe(in), maybe(in), maybe(in));
    ListenerInfo.Limits limits = in.random().nextBoolean() ? ListenerInfo.Limits.NONE
        : new ListenerInfo.Limits(maybe(in), maybe(in), maybe(in), maybe(in), maybe(in));
    ListenerInfo.Tls tls = in.random().nextInt(4) == 0 ? null : new ListenerInfo.Tls(
        in.oneOf(java.util.Arrays.asList("tls", "missing", "", "Tls", "opaque", null)),
        in.oneOf(java.util.Arrays.asList("UNIDIRECTIONAL", "MUTUAL", null)),
        in.oneOf(java.util.Arrays.asList("ca", "missing", "", "opaque", null)), in.random().nextBoolean(),
        List.of("TLSv1.2", "TLSv1.3"));
    BackendRef backend = in.random().nextBoolean() ? null : new BackendRef("db", 5432, null);
    String defaultDomain = in.oneOf(java.util.Arrays.asList(null, null, "chat.example.com", "*.example.com",
        "Chat.Example.COM", "", "chat_example.com", "*.*.example.com", "\u212aube.example.com", "x".repeat(64) + ".com"));
    return new ListenerInfo(REF, 1, NOW, port, protocol, defaultDomain, timeouts, limits, List.of(), tls, backend);
  }

  /** A value most of the time valid-looking, else anything; null a third of the time. */
  private static String maybe(Inputs in) {
    return in.random().nextInt(3) == 0 ? null : in.text();
  }

  /** Secrets with any content: of the right type or not, PEM-looking or not. */
  private static Map<ObjectRef, SecretInfo> secrets(Inputs in) {
    Map<ObjectRef, SecretInfo> secrets = new HashMap<>();
    for (String name : List.of("tls", "ca", "opaque")) {
      ObjectRef ref = new ObjectRef("Secret", "apps", name);
      String type = name.equals("opaque") ? "Opaque" : in.oneOf(List.of(SecretInfo.TLS_TYPE, SecretInfo.TLS_TYPE, "Opaque"));
      secrets.put(ref, new SecretInfo(ref, type, pem(in), pem(in), pem(in)));
    }
    return secrets;
  }

  private static String pem(Inputs in) {
    if (in.random().nextInt(5) == 0) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (int n = in.random().nextInt(6); n > 0; n--) {
      text.append(in.random().nextBoolean() ? in.oneOf(PEM_PIECES) : in.chars());
    }
    return text.toString();
  }

  private static boolean needsTls(ListenerInfo listener) {
    return "HTTPS".equals(listener.protocol()) || "TCP_SSL".equals(listener.protocol());
  }

  /** The documented rules for a listener that needs no certificate. */
  private static boolean valid(ListenerInfo listener) {
    ListenerInfo.Timeouts t = listener.defaults();
    ListenerInfo.Limits l = listener.limits();
    return listener.protocol() != null
        && (!listener.protocol().startsWith("TCP") || listener.backend() != null)
        && (listener.defaultDomain() == null || List.of("chat.example.com", "*.example.com", "Chat.Example.COM", "")
            .contains(listener.defaultDomain()))
        && listener.port() != null && listener.port() >= 1 && listener.port() <= 65535
        && ok(seconds(t.read(), 1, 3600)) && ok(seconds(t.send(), 1, 3600))
        && ok(seconds(t.connect(), 1, 120)) && ok(seconds(l.keepalive(), 0, 900))
        && ok(seconds(l.header(), 1, 3600)) && ok(bytes(l.maxBody(), 0, Long.MAX_VALUE))
        && ok(bytes(l.maxRequestLine(), HeadLimits.MIN_LINE, HeadLimits.MAX_LINE))
        && ok(bytes(l.maxHeaders(), HeadLimits.MIN_HEADERS, HeadLimits.MAX_HEADERS));
  }

  private static void assertRoundTrip(ListenerInfo listener, ListenerCheck.Accepted settings) {
    ListenerInfo.Timeouts t = listener.defaults();
    assertThat(settings.defaults()).isEqualTo(new TimeoutOverrides(seconds(t.read(), 1, 3600),
        seconds(t.send(), 1, 3600), seconds(t.connect(), 1, 120)));
    ListenerInfo.Limits l = listener.limits();
    if (l.equals(ListenerInfo.Limits.NONE)) {
      assertThat(settings.limits()).isNull();
      return;
    }
    Long keepalive = seconds(l.keepalive(), 0, 900);
    Long header = seconds(l.header(), 1, 3600);
    Long body = bytes(l.maxBody(), 0, Long.MAX_VALUE);
    Long line = bytes(l.maxRequestLine(), HeadLimits.MIN_LINE, HeadLimits.MAX_LINE);
    Long headers = bytes(l.maxHeaders(), HeadLimits.MIN_HEADERS, HeadLimits.MAX_HEADERS);
    assertThat(settings.limits()).as(listener.toString()).isEqualTo(new ClientLimits(
        keepalive == null ? 75_000 : keepalive * 1000, header == null ? 60_000 : header * 1000,
        body == null ? 0 : body, line == null ? 0 : line.intValue(), headers == null ? 0 : headers.intValue()));
  }

  private static final Long INVALID = Long.MIN_VALUE;

  private static boolean ok(Long value) {
    return !INVALID.equals(value);
  }

  /** Whole seconds, or with s, m or h; null when not set, {@link #INVALID} when wrong or out of range. */
  private static Long seconds(String text, long min, long max) {
    return amount(text, "([0-9]{1,9})([smh]?)", Map.of("m", 60L, "h", 3600L), min, max);
  }

  /** Bytes with k, M, G, Ki, Mi or Gi; null when not set, {@link #INVALID} when wrong, too large or out of range. */
  private static Long bytes(String text, long min, long max) {
    return amount(text, "([0-9]{1,15})(Ki|Mi|Gi|k|M|G)?", Map.of("k", 1_000L, "M", 1_000_000L, "G", 1_000_000_000L,
        "Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30), min, max);
  }

  /** A number (group 1) times its unit (group 2, one when absent), exactly: no overflow can pass. */
  private static Long amount(String text, String pattern, Map<String, Long> units, long min, long max) {
    if (text == null) {
      return null;
    }
    Matcher m = Pattern.compile(pattern).matcher(trim(text));
    if (!m.matches()) {
      return INVALID;
    }
    BigInteger value = new BigInteger(m.group(1))
        .multiply(BigInteger.valueOf(units.getOrDefault(m.group(2) == null ? "" : m.group(2), 1L)));
    return value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0
        ? value.longValue() : INVALID;
  }

  private static String trim(String text) {
    Matcher m = TRIMMED.matcher(text);
    return m.matches() ? m.group(1) : text;
  }
}
