package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Cors;
import io.clbingress.operator.state.IngressInfo;
import java.util.List;
import java.util.Map;

/**
 * ingress-nginx's {@code enable-cors} with {@code cors-allow-origin}, {@code -methods},
 * {@code -headers}, {@code -expose-headers}, {@code -allow-credentials} and {@code -max-age} as a
 * route's {@link Cors}, with ingress-nginx's defaults for the ones not set (its annotations
 * reference). As in ingress-nginx, the {@code cors-*} annotations are inert without
 * {@code enable-cors: "true"}; unlike it, a wrong value is a problem naming the annotation (the
 * Ingress keeps its last accepted configuration), not a silent fallback to a default that may be
 * more open ({@code *}).
 */
final class CorsOptions {

  private CorsOptions() {
  }

  /** The routes' CORS, or null when {@code enable-cors} is not true (or a value is wrong, after a problem). */
  static Cors parse(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    if (!IngressOptions.valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.ENABLE_CORS), false)) {
      return null;
    }
    int before = problems.size();
    List<String> origins = IngressOptions.valid(ingress, problems,
        AnnotationParser.origins(annotations, AnnotationSpec.CORS_ALLOW_ORIGIN), List.of(Cors.ANY_ORIGIN));
    List<String> methods = IngressOptions.valid(ingress, problems,
        AnnotationParser.tokens(annotations, AnnotationSpec.CORS_ALLOW_METHODS), defaults(AnnotationSpec.CORS_ALLOW_METHODS));
    List<String> headers = IngressOptions.valid(ingress, problems,
        AnnotationParser.tokens(annotations, AnnotationSpec.CORS_ALLOW_HEADERS), defaults(AnnotationSpec.CORS_ALLOW_HEADERS));
    List<String> expose = IngressOptions.valid(ingress, problems,
        AnnotationParser.tokens(annotations, AnnotationSpec.CORS_EXPOSE_HEADERS), List.of());
    boolean credentials = IngressOptions.valid(ingress, problems,
        AnnotationParser.bool(annotations, AnnotationSpec.CORS_ALLOW_CREDENTIALS), true);
    long maxAge = IngressOptions.valid(ingress, problems,
        AnnotationParser.number(annotations, AnnotationSpec.CORS_MAX_AGE), Long.parseLong(AnnotationSpec.CORS_MAX_AGE.defaultValue()));
    if (methods.isEmpty()) {
      problems.add(new Problem(ingress.ref(), Problem.annotationField(IngressOptions.annotationKey(annotations,
          AnnotationSpec.CORS_ALLOW_METHODS)), "names no method"));
    }
    return problems.size() > before ? null : new Cors(origins, credentials, methods, headers, expose, maxAge);
  }

  /** An annotation's documented default list. */
  static List<String> defaults(AnnotationSpec spec) {
    return List.of(spec.defaultValue().split(",\\s*"));
  }
}
