package io.clbingress.dataplane.table;

import java.util.List;
import java.util.Objects;

/**
 * An active HTTP health check of a cluster's endpoints.
 *
 * @param path requested with GET on each endpoint (Host: the endpoint's address)
 * @param httpCodes classes of status codes that count as healthy: {@code 2xx}, {@code 3xx}, ...
 */
public record HealthCheck(String path, long intervalMillis, long timeoutMillis, int healthyThreshold,
    int unhealthyThreshold, List<String> httpCodes) {

  public HealthCheck {
    Objects.requireNonNull(path, "path");
    httpCodes = httpCodes == null || httpCodes.isEmpty() ? List.of("2xx", "3xx") : List.copyOf(httpCodes);
    if (intervalMillis < 1 || timeoutMillis < 1 || healthyThreshold < 1 || unhealthyThreshold < 1) {
      throw new IllegalArgumentException("health check out of range: " + intervalMillis + " ms / " + timeoutMillis
          + " ms / " + healthyThreshold + " / " + unhealthyThreshold);
    }
  }

  /** Whether an answer's status counts as healthy. */
  public boolean healthy(int status) {
    return httpCodes.contains((status / 100) + "xx");
  }
}
