package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.HealthCheck;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.List;

/**
 * A CLBListener rule's {@code healthCheck}, checked against a cloud load balancer's ranges:
 * interval 2–300 s (default 5), timeout 2–60 s and shorter than the interval (default 2),
 * thresholds 2–10 (default 3), {@code httpCodes} among 1xx–5xx (default 2xx, 3xx), path absolute
 * (default /). {@code enabled: false}, or no healthCheck, means none.
 */
final class HealthChecks {

  private static final List<String> CODES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");

  private HealthChecks() {
  }

  /** @return the check, or null when there is none or it is wrong (then after a problem per wrong field) */
  static HealthCheck parse(ObjectRef ref, ListenerInfo.HealthCheck spec, String field, List<Problem> problems) {
    if (spec == null || Boolean.FALSE.equals(spec.enabled())) {
      return null;
    }
    int before = problems.size();
    String path = spec.path() == null ? "/" : spec.path();
    if (!path.startsWith("/")) {
      problems.add(new Problem(ref, field + ".path", "\"" + path + "\" is not an absolute path; the rule is ignored"));
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
      if (!CODES.contains(code)) {
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
