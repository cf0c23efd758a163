package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Canary;

/**
 * A canary Ingress's rules (ingress-nginx's {@code canary-*} annotations), waiting for the cluster
 * of the route they share.
 *
 * @param header canary-by-header, or null
 * @param headerValue canary-by-header-value, or null
 * @param headerPattern canary-by-header-pattern, or null
 * @param cookie canary-by-cookie, or null
 * @param weight canary-weight, 0 to {@code weightTotal}
 * @param weightTotal canary-weight-total
 */
record CanaryOptions(String header, String headerValue, String headerPattern, String cookie, int weight,
    int weightTotal) {

  /** The filter that sends the chosen requests of a route to {@code cluster}. */
  Canary filter(String cluster) {
    return new Canary(cluster, header, headerValue, headerPattern, cookie, weight, weightTotal);
  }
}
