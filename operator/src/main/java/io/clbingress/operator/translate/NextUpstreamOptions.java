package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Retry;
import io.clbingress.operator.state.IngressInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ingress-nginx's {@code proxy-next-upstream}, {@code proxy-next-upstream-tries} and
 * {@code proxy-next-upstream-timeout} as a route's {@link Retry}, with ingress-nginx's defaults for
 * the ones not set ({@code error timeout}, 3 tries, no time limit): nginx's
 * {@code proxy_next_upstream} words, and {@code off} alone.
 */
final class NextUpstreamOptions {

  /** ingress-nginx's default {@code proxy-next-upstream}. */
  static final List<Retry.On> NGINX_DEFAULT = List.of(Retry.On.ERROR, Retry.On.TIMEOUT);
  /** ingress-nginx's default {@code proxy-next-upstream-tries}. */
  static final long NGINX_DEFAULT_TRIES = 3;

  private NextUpstreamOptions() {
  }

  /**
   * The routes' retry policy, or null when none of the three is set (or one is wrong, after a
   * problem naming it): the routes keep {@link Retry#DEFAULT}.
   */
  static Retry parse(IngressInfo ingress, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    AnnotationValue<List<String>> words = AnnotationParser.words(annotations, AnnotationSpec.PROXY_NEXT_UPSTREAM);
    AnnotationValue<Long> tries = AnnotationParser.number(annotations, AnnotationSpec.PROXY_NEXT_UPSTREAM_TRIES);
    AnnotationValue<Long> timeout = AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_NEXT_UPSTREAM_TIMEOUT);
    if (words instanceof AnnotationValue.Absent && tries instanceof AnnotationValue.Absent
        && timeout instanceof AnnotationValue.Absent) {
      return null;
    }
    int before = problems.size();
    List<String> written = IngressOptions.valid(ingress, problems, words, null);
    long allowed = IngressOptions.valid(ingress, problems, tries, NGINX_DEFAULT_TRIES);
    long seconds = IngressOptions.valid(ingress, problems, timeout, 0L);
    if (written != null && written.contains("off") && written.size() > 1) {
      problems.add(new Problem(ingress.ref(), Problem.annotationField(IngressOptions.annotationKey(annotations,
          AnnotationSpec.PROXY_NEXT_UPSTREAM)), "off turns passing on off and stands alone, not with "
          + String.join(" ", written.stream().filter(w -> !w.equals("off")).toList())));
    }
    if (problems.size() > before) {
      return null;
    }
    if (written != null && written.equals(List.of("off"))) {
      return new Retry(0, List.of(), List.of(), 0);
    }
    List<Retry.On> on = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    for (String word : written == null ? List.<String>of() : written) {
      if (word.startsWith("http_")) {
        codes.add(Integer.parseInt(word.substring(5)));
      } else {
        on.add(Retry.On.valueOf(word.toUpperCase(java.util.Locale.ROOT)));
      }
    }
    return new Retry(allowed == 0 ? 100 : (int) allowed - 1, written == null ? NGINX_DEFAULT : on, codes,
        seconds * 1000);
  }
}
