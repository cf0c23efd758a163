package io.clbingress.operator.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.Problem;
import java.util.List;
import java.util.Set;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** What the operator and standalone mode log as problems come, change and go. */
class ProblemLogTest {

  static final ObjectRef INGRESS = new ObjectRef("Ingress", "shop", "web");
  static final Problem MISSING = new Problem(INGRESS, "spec.tls[0].secretName", "Secret shop/cert not found");
  static final Problem WRONG_TYPE = new Problem(INGRESS, "spec.tls[0].secretName", "Secret shop/cert is of type Opaque");
  static final Problem TIMEOUT = new Problem(INGRESS, "metadata.annotations[clb.ingress.io/proxy-read-timeout]", "\"x\" is not a duration");

  @Test
  void newProblemIsOneWarnAndAPersistingOneIsNotRepeated() {
    assertThat(ProblemLog.lines(Set.of(), List.of(MISSING)))
        .containsExactly(new ProblemLog.Line(Level.WARN, "Ingress shop/web: spec.tls[0].secretName: Secret shop/cert not found"));
    assertThat(ProblemLog.lines(Set.of(MISSING), List.of(MISSING))).isEmpty();
  }

  /** The case: a Secret problem replaced by another read as if it had been fixed. */
  @Test
  void aChangedProblemOnTheSameFieldIsAWarnNamingTheOldOneNeverResolved() {
    assertThat(ProblemLog.lines(Set.of(MISSING), List.of(WRONG_TYPE))).containsExactly(new ProblemLog.Line(Level.WARN,
        "Ingress shop/web: spec.tls[0].secretName: Secret shop/cert is of type Opaque (was: Secret shop/cert not found)"));
  }

  @Test
  void aFieldWithoutProblemsAnyMoreIsResolvedOthersStay() {
    assertThat(ProblemLog.lines(Set.of(MISSING, TIMEOUT), List.of(TIMEOUT)))
        .containsExactly(new ProblemLog.Line(Level.INFO, "Ingress shop/web: spec.tls[0].secretName: resolved"));
  }
}
