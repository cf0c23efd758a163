package io.clbingress.operator.translate;

/**
 * What an Ingress's ingress-nginx annotations add to the routes it claims, beyond the settings
 * every owner of routes has ({@link RouteSource}); none for a CLBListener's rules.
 *
 * @param rewrite its paths' options: regular expressions, a rewrite target, an app root
 *     ({@code use-regex}, {@code rewrite-target}, {@code app-root})
 * @param canary the rules of a canary Ingress, whose routes join those of the same host and path
 *     as their {@link io.clbingress.dataplane.table.Canary}; null for any other owner
 * @param fromToWww requests for the www alias of each of its hosts ({@code www.example.com} for
 *     {@code example.com}, and the other way) are redirected to the host
 *     ({@code from-to-www-redirect}), where no owner serves the alias
 * @param errorBackend its {@code default-backend} and {@code custom-http-errors}, or null
 * @param clientCertificates what its hosts ask of clients' certificates ({@code auth-tls-*}), or null
 */
record RouteExtras(Rewrite rewrite, CanaryOptions canary, boolean fromToWww, ErrorBackend errorBackend,
    ClientCertificateOptions clientCertificates) {

  /** An owner whose routes are as the common settings make them. */
  static final RouteExtras NONE = new RouteExtras(Rewrite.NONE, null, false, null, null);

  RouteExtras {
    rewrite = rewrite == null ? Rewrite.NONE : rewrite;
  }
}
