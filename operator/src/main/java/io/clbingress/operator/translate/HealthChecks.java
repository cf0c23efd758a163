package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.List;

/**
 * A CLBListener rule's {@code healthCheck}, checked against a cloud load balancer's ranges:
 * interval 2–300 s (default 5), timeout 2–60 s and shorter than the interval (default 2),
 * thresholds 2–10 (default 3), {@code httpCodes} among 1xx–5xx (default 2xx, 3xx), path absolute
 * in visible ASCII (default /). {@code enabled: false}, or no healthCheck, means none.
 */
final class HealthChecks {

  private static final List<String> CODES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");
  /**
   * The request target the checks send (RFC 9112 origin-form): blanks, control characters or a
   * line break would make another request line, or other headers, on the wire.
   */
  private static final java.util.regex.Pattern ORIGIN_FORM = java.util.regex.Pattern.compile("/[\\x21-\\x22\\x24-\\x7e]*");

  private HealthChecks() {
  }

  /** @return the check, or null when there is none or it is wrong (then after a problem per wrong field) */
  static HealthCheck parse(ObjectRef ref, ListenerInfo.HealthCheck spec, String field, List<Problem> problems) {
    if (spec == null || Boolean.FALSE.equals(spec.enabled())) {
      return null;
    }
    int before = problems.size();
    String path = spec.path() == null ? "/" : spec.path();
    if (!ORIGIN_FORM.matcher(path).matches()) {
      problems.add(new Problem(ref, field + ".path", "\"" + path + "\" is not an absolute path (a / and visible ASCII"
          + " characters, others percent-encoded, no #); the rule is ignored"));
    }
    int interval = range(ref, field + ".intervalSeconds", spec.intervalSeconds(), 5, 2, 300, problems);
    int timeout = range(ref, field + ".timeoutSeconds", spec.timeoutSeconds(), 2, 2, 60, problems);
    if (timeout >= interval && problems.size() == before) {
      problems.add(new Problem(ref, field + ".timeoutSeconds", timeout + " must be less than intervalSeconds ("
          + interval + "); the rule is ignored"));
    }
    int healthy = range(ref, field + ".healthyThreshold", spec.healthyThreshold(), 3, 2, 10, problems);
    int unhealthy = range(ref, field + ".unhealthyThreshold", spec.unhealthyThreshold(), 3, 2, 10, problems);
    List<String> codes = spec.httpCodes() == null || spec.httpCodes().isEmpty() ? List.of("2xx", "3xx")
        : spec.httpCodes();
    for (String code : codes) {
      if (code == null || !CODES.contains(code)) { // List.of(...).contains(null) throws
        problems.add(new Problem(ref, field + ".httpCodes", "\"" + code + "\" is not one of " + String.join(", ", CODES)
            + "; the rule is ignored"));
      }
    }
    if (problems.size() > before) {
      return null;
    }
    return new HealthCheck(path, interval * 1000L, timeout * 1000L, healthy, unhealthy, List.copyOf(codes));
  }

  private static int range(ObjectRef ref, String field, Integer value, int fallback, int min, int max,
      List<Problem> problems) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      problems.add(new Problem(ref, field, value + " is out of range (" + min + "–" + max + "); the rule is ignored"));
    }
    return value;
  }
}
