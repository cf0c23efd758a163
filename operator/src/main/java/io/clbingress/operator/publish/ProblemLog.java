package io.clbingress.operator.publish;

import io.clbingress.operator.translate.Problem;
import io.clbingress.operator.translate.Translation;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Logs each problem once while it persists (WARN), and once when it is gone (INFO). */
public final class ProblemLog implements Consumer<Translation> {

  private static final Logger LOG = LogManager.getLogger(ProblemLog.class);

  private Set<Problem> reported = Set.of();

  @Override
  public synchronized void accept(Translation translation) {
    Set<Problem> now = new HashSet<>(translation.problems());
    for (Problem problem : translation.problems()) {
      if (!reported.contains(problem)) {
        LOG.warn("{}: {}: {}", problem.object(), problem.field(), problem.reason());
      }
    }
    for (Problem gone : reported) {
      if (!now.contains(gone)) {
        LOG.info("{}: {}: resolved", gone.object(), gone.field());
      }
    }
    reported = now;
  }
}
