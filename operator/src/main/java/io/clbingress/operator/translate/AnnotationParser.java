package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Cors;
import io.clbingress.dataplane.table.Cidr;
import io.clbingress.dataplane.table.TableText;
import io.clbingress.dataplane.table.HashKeyPart;
import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.RegexSubstitution;
import io.clbingress.dataplane.table.RequestRedirect;
import io.clbingress.dataplane.table.URLRewrite;
import io.clbingress.operator.state.ObjectRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads annotation values by their {@link AnnotationSpec}. Ours win over the ingress-nginx ones
 * when both are set; a wrong value is {@link AnnotationValue.Invalid}, never a silent default.
 */
public final class AnnotationParser {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smh]?)");
  private static final Pattern WORD = Pattern.compile("[A-Za-z_-]+");
  private static final Pattern WORD_OR_STATUS = Pattern.compile("[A-Za-z_]+(\\d{3})?");
  private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
  private static final String SUBDOMAIN_TEXT = "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  /** A DNS-1123 label, as a namespace's or a Service's name. */
  private static final Pattern NAME = Pattern.compile(LABEL);
  /** A DNS-1123 subdomain, as a Secret's name. */
  private static final Pattern SUBDOMAIN = Pattern.compile(SUBDOMAIN_TEXT);
  /** An optional namespace (a DNS-1123 label) and a name (a DNS-1123 subdomain, as a Secret's). */
  private static final Pattern OBJECT_REF = Pattern.compile("(" + LABEL + "/)?" + SUBDOMAIN_TEXT);

  private AnnotationParser() {
  }

  public static AnnotationValue<Long> seconds(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> parseSeconds(key, raw, spec));
  }

  public static AnnotationValue<Boolean> bool(Map<String, String> annotations, AnnotationSpec spec) {
    // ingress-nginx reads booleans with Go's strconv.ParseBool, which also takes 1, t, 0 and f
    return read(annotations, spec, (key, raw) -> switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true", "t", "1" -> new AnnotationValue.Valid<>(true);
      case "false", "f", "0" -> new AnnotationValue.Valid<>(false);
      default -> new AnnotationValue.Invalid<>(key, quote(raw) + " is not a boolean (use true or false)");
    });
  }

  public static AnnotationValue<String> choice(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      // ASCII letters only before case folding: Unicode's would make "HTTP\u017f" (long s) HTTPS.
      String trimmed = raw.trim();
      String word = WORD.matcher(trimmed).matches() ? trimmed.toUpperCase(Locale.ROOT) : "";
      return spec.choices().contains(word)
          ? new AnnotationValue.Valid<>(word)
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is not one of " + String.join(", ", spec.choices()));
    });
  }

  public static AnnotationValue<Long> secondsOrOff(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String text = raw.trim();
      if (!text.matches("\\d{1,9}")) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a whole number of seconds");
      }
      long value = Long.parseLong(text);
      return value == 0 || (value >= spec.min() && value <= spec.max())
          ? new AnnotationValue.Valid<>(value)
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is out of range (0 for off, or " + spec.min()
              + "–" + spec.max() + ")");
    });
  }

  public static AnnotationValue<List<String>> names(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      // One or more names; blanks around them and one trailing comma are allowed, an empty item is not.
      String[] parts = raw.split(",", -1);
      int count = parts.length > 1 && parts[parts.length - 1].trim().isEmpty() ? parts.length - 1 : parts.length;
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = parts[i].trim();
        if (!NAME.matcher(name).matches()) {
          return new AnnotationValue.Invalid<>(key, quote(name) + " is not a valid object name");
        }
        names.add(name);
      }
      return new AnnotationValue.Valid<>(List.copyOf(names));
    });
  }

  private static final Pattern NGINX_SIZE = Pattern.compile("(\\d{1,18})([kKmMgG]?)");

  /**
   * nginx's size ({@code client_max_body_size}, which ingress-nginx's {@code proxy-body-size}
   * sets): a whole number of bytes, or of KiB, MiB or GiB with {@code k}, {@code m} or {@code g} in
   * either case; {@code 0} turns the limit off.
   */
  public static AnnotationValue<Long> size(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      Matcher matcher = NGINX_SIZE.matcher(raw.trim());
      if (!matcher.matches()) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a size (bytes, or with k, m or g: 8m)");
      }
      int shift = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        default -> 0;
      };
      long amount = Long.parseLong(matcher.group(1));
      return amount > Long.MAX_VALUE >> shift
          ? new AnnotationValue.Invalid<>(key, quote(raw) + " is too large")
          : new AnnotationValue.Valid<>(amount << shift);
    });
  }

  /**
   * A path starting with {@code /}, as a redirect's Location takes it: no white space or control
   * character (it could split the header).
   */
  public static AnnotationValue<String> path(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String path = raw.trim();
      return path.startsWith("/") && TableText.visible(path) ? new AnnotationValue.Valid<>(path)
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is not a path starting with / (without spaces)");
    });
  }

  /**
   * A rewrite target ({@link RegexSubstitution}'s substitution): a path starting with {@code /},
   * without white space, with {@code $1}–{@code $9} and no other nginx variable.
   */
  public static AnnotationValue<String> rewriteTarget(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String target = raw.trim();
      try {
        return new AnnotationValue.Valid<>(new RegexSubstitution("/", target).substitution());
      } catch (IllegalArgumentException e) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a path starting with / (visible ASCII without"
            + " spaces or #, with $1 to $9 and no other nginx variable)");
      }
    });
  }

  /** A host name or IP address with an optional port ({@link URLRewrite}'s hostname), lower case. */
  public static AnnotationValue<String> host(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      try {
        return new AnnotationValue.Valid<>(new URLRewrite(raw.trim().toLowerCase(Locale.ROOT), null).hostname());
      } catch (IllegalArgumentException e) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a host name or IP address with an optional"
            + " port (nginx variables are not expanded)");
      }
    });
  }

  /** A header value ({@link HttpHeader}'s): no control character, no white space at either end once trimmed. */
  public static AnnotationValue<String> headerValue(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String value = raw.trim();
      return TableText.headerValue(value) && !value.isEmpty() ? new AnnotationValue.Valid<>(value)
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is empty, or has control or non-ASCII characters");
    });
  }

  /** A whole number within the spec's range. */
  public static AnnotationValue<Long> number(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String text = raw.trim();
      if (!text.matches("\\d{1,9}")) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a whole number");
      }
      long value = Long.parseLong(text);
      return value >= spec.min() && value <= spec.max() ? new AnnotationValue.Valid<>(value)
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is out of range (" + spec.acceptedText() + ")");
    });
  }

  /**
   * Words of {@code spec.choices()} separated by white space, any case, each at most once (nginx's
   * {@code proxy_next_upstream}); returned in lower case, in the order written.
   */
  public static AnnotationValue<List<String>> words(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      List<String> words = new ArrayList<>();
      for (String word : raw.trim().split("\\s+")) {
        // ASCII only before case folding, as choice(): the words are letters, "_" and a status's digits
        String lower = WORD_OR_STATUS.matcher(word).matches() ? word.toLowerCase(Locale.ROOT) : "";
        if (!spec.choices().contains(lower)) {
          return new AnnotationValue.Invalid<>(key, quote(word) + " is not one of " + String.join(", ", spec.choices()));
        }
        if (words.contains(lower)) {
          return new AnnotationValue.Invalid<>(key, quote(word) + " is written twice");
        }
        words.add(lower);
      }
      return new AnnotationValue.Valid<>(List.copyOf(words));
    });
  }

  /** A Kubernetes object name (a DNS-1123 label), as a Service's. */
  public static AnnotationValue<String> name(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> NAME.matcher(raw.trim()).matches()
        ? new AnnotationValue.Valid<>(raw.trim())
        : new AnnotationValue.Invalid<>(key, quote(raw) + " is not a valid object name"));
  }

  /** A Kubernetes object's name (a DNS-1123 subdomain), or {@code namespace/name}; as written, trimmed. */
  public static AnnotationValue<String> objectRef(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> OBJECT_REF.matcher(raw.trim()).matches()
        ? new AnnotationValue.Valid<>(raw.trim())
        : new AnnotationValue.Invalid<>(key, quote(raw) + " is not an object name, or namespace/name"));
  }

  /** Printable ASCII (space included), at most {@code spec.max()} characters, as written (not trimmed). */
  public static AnnotationValue<String> text(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> raw.length() <= spec.max() && raw.chars().allMatch(c -> c >= ' ' && c < 0x7f)
        ? new AnnotationValue.Valid<>(raw)
        : new AnnotationValue.Invalid<>(key, quote(raw) + " is longer than " + spec.max()
            + " characters, or has control or non-ASCII characters"));
  }

  /**
   * A Secret named {@code namespace/name}, as ingress-nginx's {@code auth-tls-secret} (it requires
   * both: a name alone is refused).
   */
  public static AnnotationValue<ObjectRef> secretRef(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String[] parts = raw.trim().split("/", -1);
      return parts.length == 2 && NAME.matcher(parts[0]).matches() && SUBDOMAIN.matcher(parts[1]).matches()
          ? new AnnotationValue.Valid<>(new ObjectRef("Secret", parts[0], parts[1]))
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is not namespace/name of a Secret");
    });
  }

  /** Comma-separated status codes in {@code spec}'s min..max, each at most once; in the order written. */
  public static AnnotationValue<List<Integer>> codes(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      List<Integer> codes = new ArrayList<>();
      for (String item : raw.split(",", -1)) {
        String code = item.trim();
        int status = code.matches("\\d{3}") ? Integer.parseInt(code) : -1;
        if (status < spec.min() || status > spec.max()) {
          return new AnnotationValue.Invalid<>(key, quote(code) + " is not a status code in " + spec.min() + "–" + spec.max());
        }
        if (codes.contains(status)) {
          return new AnnotationValue.Invalid<>(key, quote(code) + " is written twice");
        }
        codes.add(status);
      }
      return new AnnotationValue.Valid<>(List.copyOf(codes));
    });
  }

  /** A header or cookie name: an RFC 9110 token. */
  /** {@code *} alone, or comma-separated origins ({@link Cors#isOrigin}), each once; lower case. */
  public static AnnotationValue<List<String>> origins(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      if (raw.trim().equals(Cors.ANY_ORIGIN)) {
        return new AnnotationValue.Valid<>(List.of(Cors.ANY_ORIGIN));
      }
      List<String> origins = new ArrayList<>();
      for (String item : raw.split(",", -1)) {
        String origin = item.trim().toLowerCase(Locale.ROOT);
        if (!Cors.isOrigin(origin)) {
          return new AnnotationValue.Invalid<>(key, quote(item.trim()) + " is not an origin http(s)://host[:port]"
              + " (the host may start with *.; * stands alone)");
        }
        if (Cors.wildcardOverTopLevelDomain(origin)) {
          return new AnnotationValue.Invalid<>(key, quote(item.trim()) + " allows every site of a top-level domain:"
              + " name at least two labels after *.");
        }
        if (origins.contains(origin)) {
          return new AnnotationValue.Invalid<>(key, quote(item.trim()) + " is written twice");
        }
        origins.add(origin);
      }
      return new AnnotationValue.Valid<>(List.copyOf(origins));
    });
  }

  /**
   * RFC 9110 tokens (methods, header names) separated by commas or spaces (ingress-nginx takes
   * both), each once in any case; empty for none.
   */
  public static AnnotationValue<List<String>> tokens(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      List<String> tokens = new ArrayList<>();
      if (raw.isBlank()) {
        return new AnnotationValue.Valid<>(List.of());
      }
      for (String token : raw.trim().split("[,\\s]+")) {
        if (!TableText.token(token)) {
          return new AnnotationValue.Invalid<>(key, quote(token) + " is not a name (an RFC 9110 token)");
        }
        if (tokens.stream().anyMatch(token::equalsIgnoreCase)) {
          return new AnnotationValue.Invalid<>(key, quote(token) + " is written twice");
        }
        tokens.add(token);
      }
      return new AnnotationValue.Valid<>(List.copyOf(tokens));
    });
  }

  /** Comma-separated IPv4 and IPv6 CIDRs or addresses ({@link Cidr}), at least one. */
  public static AnnotationValue<List<String>> cidrs(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      List<String> ranges = new ArrayList<>();
      for (String item : raw.split(",", -1)) {
        String range = item.trim();
        try {
          Cidr.parse(range);
        } catch (IllegalArgumentException e) {
          return new AnnotationValue.Invalid<>(key, quote(range) + " is not an IPv4 or IPv6 address or CIDR"
              + (range.contains("/") ? " (or its prefix length is out of range)" : ""));
        }
        ranges.add(range);
      }
      return new AnnotationValue.Valid<>(List.copyOf(ranges));
    });
  }

  public static AnnotationValue<String> token(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> TableText.token(raw.trim()) ? new AnnotationValue.Valid<>(raw.trim())
        : new AnnotationValue.Invalid<>(key, quote(raw) + " is not a header or cookie name"));
  }

  /** A regular expression in RE2 syntax (ingress-nginx takes PCRE; most patterns are both). */
  public static AnnotationValue<String> regex(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String problem = io.clbingress.dataplane.table.Re2.problem(raw);
      return problem == null ? new AnnotationValue.Valid<>(raw)
          : new AnnotationValue.Invalid<>(key, quote(raw) + " is not a usable RE2 regular expression: " + problem);
    });
  }

  /** A hash key template ({@link HashKeyPart#parse}): text and the nginx variables it names. */
  public static AnnotationValue<String> hashKey(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      try {
        HashKeyPart.parse(raw.trim());
        return new AnnotationValue.Valid<>(raw.trim());
      } catch (IllegalArgumentException e) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + ": " + e.getMessage());
      }
    });
  }

  /**
   * An {@code http} or {@code https} URL with a host, which may name nginx variables
   * ({@link HashKeyPart#VARIABLES}), as ingress-nginx's {@code auth-url} and {@code auth-signin}.
   */
  public static AnnotationValue<String> urlTemplate(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      String url = raw.trim();
      try {
        HashKeyPart.parse("URL", url);
      } catch (IllegalArgumentException e) {
        return new AnnotationValue.Invalid<>(key, e.getMessage());
      }
      String lower = url.toLowerCase(Locale.ROOT);
      int host = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
      if (host < 0 || url.length() == host || "/?#".indexOf(url.charAt(host)) >= 0) {
        return new AnnotationValue.Invalid<>(key, quote(raw) + " is not an http:// or https:// URL with a host");
      }
      return new AnnotationValue.Valid<>(url);
    });
  }

  private static final Pattern NGINX_TIME = Pattern.compile("(\\d{1,8})([smhd]?)");

  /**
   * nginx's {@code proxy_cache_valid} entries as ingress-nginx's {@code auth-cache-duration} takes
   * them: comma-separated, each statuses (200–599) and then a time ({@code 30s}, {@code 5m},
   * {@code 1h}, {@code 1d}; a bare number is seconds), at most one year.
   */
  public static AnnotationValue<List<io.clbingress.dataplane.table.ExternalAuth.CacheDuration>> cacheDurations(
      Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> {
      List<io.clbingress.dataplane.table.ExternalAuth.CacheDuration> durations = new ArrayList<>();
      for (String entry : raw.split(",")) {
        String[] words = entry.trim().split("\\s+");
        Matcher time = NGINX_TIME.matcher(words[words.length - 1]);
        if (words.length < 2 || !time.matches()) {
          return new AnnotationValue.Invalid<>(key, quote(entry.trim()) + " is not statuses then a time (200 202 5m)");
        }
        long seconds = Long.parseLong(time.group(1)) * switch (time.group(2)) {
          case "m" -> 60;
          case "h" -> 3600;
          case "d" -> 86_400;
          default -> 1;
        };
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < words.length - 1; i++) {
          if (!words[i].matches("[2-5]\\d\\d")) {
            return new AnnotationValue.Invalid<>(key, quote(words[i]) + " is not a status 200–599");
          }
          statuses.add(Integer.parseInt(words[i]));
        }
        if (seconds < 1 || seconds > 31_536_000) {
          return new AnnotationValue.Invalid<>(key, quote(entry.trim()) + ": the time is out of 1 s–365 d");
        }
        durations.add(new io.clbingress.dataplane.table.ExternalAuth.CacheDuration(statuses, seconds));
      }
      return new AnnotationValue.Valid<>(List.copyOf(durations));
    });
  }

  /** A redirect status code among the spec's choices. */
  public static AnnotationValue<Integer> status(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, (key, raw) -> spec.choices().contains(raw.trim())
        ? new AnnotationValue.Valid<>(Integer.parseInt(raw.trim()))
        : new AnnotationValue.Invalid<>(key, quote(raw) + " is not one of " + String.join(", ", spec.choices())));
  }

  /**
   * The target of a redirect annotation: an absolute {@code http} or {@code https} URL, taken as
   * the Location as is, or {@code scheme://host[:port]$request_uri}, which keeps the request's path
   * and query (the one nginx variable honoured, as ingress-nginx users write it). The result is a
   * {@link RequestRedirect} with a placeholder status, which the caller replaces.
   */
  public static AnnotationValue<RequestRedirect> redirectUrl(Map<String, String> annotations, AnnotationSpec spec) {
    return read(annotations, spec, AnnotationParser::parseRedirectUrl);
  }

  private static final String REQUEST_URI = "$request_uri";

  /** A URL with user information ({@code scheme://user:password@host}), found before anything else is checked. */
  private static final Pattern USER_INFO = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@.*", Pattern.DOTALL);

  private static AnnotationValue<RequestRedirect> parseRedirectUrl(String key, String raw) {
    String text = raw.trim();
    if (USER_INFO.matcher(text).matches()) {
      // Not quoted, whatever else is wrong with it: the value may hold a password, and reasons go into Events and logs.
      return new AnnotationValue.Invalid<>(key, "a redirect URL with a user name or password is not accepted");
    }
    boolean keepsRequest = text.endsWith(REQUEST_URI);
    String url = keepsRequest ? text.substring(0, text.length() - REQUEST_URI.length()) : text;
    if (url.indexOf('$') >= 0) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + ": nginx variables are not expanded (only a final "
          + REQUEST_URI + " after scheme://host[:port])");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + " is not an absolute http or https URL with a host");
    }
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
    if (keepsRequest && !path.isEmpty()) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + ": " + REQUEST_URI
          + " may only follow scheme://host[:port], with no path before it");
    }
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    try {
      return new AnnotationValue.Valid<>(new RequestRedirect(scheme, host.toLowerCase(Locale.ROOT),
          uri.getPort() < 0 ? null : uri.getPort(), keepsRequest ? null : path, 302));
    } catch (IllegalArgumentException e) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + ": " + e.getMessage());
    }
  }

  /** Parses {@code 600}, {@code 600s}, {@code 10m} or {@code 1h} to seconds within the spec's range. */
  public static AnnotationValue<Long> parseSeconds(String key, String raw, AnnotationSpec spec) {
    Matcher matcher = DURATION.matcher(raw.trim());
    if (!matcher.matches()) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + " is not a duration (use whole seconds like 600, or 600s, 10m, 1h)");
    }
    long amount = Long.parseLong(matcher.group(1));
    long seconds = switch (matcher.group(2)) {
      case "m" -> amount * 60;
      case "h" -> amount * 3600;
      default -> amount;
    };
    if (seconds < spec.min() || seconds > spec.max()) {
      return new AnnotationValue.Invalid<>(key, quote(raw) + " is out of range (" + spec.acceptedText() + ")");
    }
    return new AnnotationValue.Valid<>(seconds);
  }

  private interface ValueReader<T> {
    AnnotationValue<T> read(String key, String raw);
  }

  private static <T> AnnotationValue<T> read(Map<String, String> annotations, AnnotationSpec spec, ValueReader<T> reader) {
    String ours = annotations.get(spec.key());
    if (ours != null) {
      return reader.read(spec.key(), ours);
    }
    for (String key : spec.nginxKeys()) {
      String nginx = annotations.get(key);
      if (nginx != null) {
        return reader.read(key, nginx);
      }
    }
    return new AnnotationValue.Absent<>();
  }

  /** A value as written, in quotes, its control characters escaped: reasons go into logs and Events, a line each. */
  private static String quote(String raw) {
    return "\"" + TableText.printable(raw) + "\"";
  }
}
