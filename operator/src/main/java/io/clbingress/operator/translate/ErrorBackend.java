package io.clbingress.operator.translate;

import java.util.List;

/**
 * ingress-nginx's {@code default-backend} annotation with its {@code custom-http-errors}: a Service
 * of the Ingress's namespace (its first port, plain HTTP) that serves the Ingress's paths whose own
 * Service has no endpoint, and the error pages of the listed statuses
 * ({@link io.clbingress.dataplane.table.ErrorPages}).
 *
 * @param service the Service's name
 * @param codes the statuses its pages replace, each 400–599; empty when custom-http-errors is not set
 */
record ErrorBackend(String service, List<Integer> codes) {

  ErrorBackend {
    codes = List.copyOf(codes);
  }
}
