package io.clbingress.operator.translate;

import io.clbingress.operator.state.IngressInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The annotations of an Ingress that clb-ingress does not honour ({@link AnnotationCoverage}),
 * reported, never dropped in silence: every {@code nginx.ingress.kubernetes.io/*} annotation
 * other than the ingress-nginx names of {@link AnnotationSpec#ALL}, and every
 * {@code clb.ingress.io/*} name that is not ours (a typo, most likely). The route is still served,
 * without them; one problem per Ingress (Event reason {@link Problem#UNSUPPORTED_ANNOTATION}) lists
 * them: the security-relevant ones first and marked, then the snippets (never executed), then the
 * others with what happens instead.
 */
public final class UnsupportedAnnotations {

  /** The field the problem names: the annotations as a whole. */
  static final String FIELD = "metadata.annotations";

  private UnsupportedAnnotations() {
  }

  /** The problem listing what {@code ingress} sets and clb-ingress does not honour; empty when nothing. */
  public static Optional<Problem> of(IngressInfo ingress) {
    List<String> security = new ArrayList<>();
    List<String> snippets = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (AnnotationCoverage annotation : AnnotationCoverage.notHonoured(ingress)) {
      if (annotation.securityRelevant()) {
        security.add(annotation.key());
      } else if (annotation.note().equals(AnnotationCoverage.SNIPPET)) {
        snippets.add(annotation.key());
      } else {
        others.add(annotation.key() + " (" + annotation.note() + ")");
      }
    }
    List<String> groups = new ArrayList<>();
    if (!security.isEmpty()) {
      groups.add(AnnotationCoverage.SECURITY + ": " + String.join(", ", security));
    }
    if (!snippets.isEmpty()) {
      groups.add(AnnotationCoverage.SNIPPET + ": " + String.join(", ", snippets));
    }
    if (!others.isEmpty()) {
      groups.add("not honoured: " + String.join(", ", others));
    }
    return groups.isEmpty() ? Optional.empty() : Optional.of(new Problem(ingress.ref(), FIELD,
        "the route is served without these annotations. " + String.join(". ", groups), Problem.UNSUPPORTED_ANNOTATION));
  }
}
