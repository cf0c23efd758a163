package io.clbingress.operator.publish;

import io.clbingress.operator.translate.Problem;
import io.clbingress.operator.translate.Translation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Logs each problem once while it persists (WARN), and once when it is gone (INFO). A field
 * whose problem changed (a missing Secret that is now of the wrong type) gets one WARN with the
 * new reason and what it replaces, never a "resolved" line: that would read as if it were fixed.
 */
public final class ProblemLog implements Consumer<Translation> {

  private static final Logger LOG = LogManager.getLogger(ProblemLog.class);

  /** One log line: its level and text. */
  record Line(Level level, String text) {
  }

  private Set<Problem> reported = Set.of();

  @Override
  public synchronized void accept(Translation translation) {
    for (Line line : lines(reported, translation.problems())) {
      LOG.log(line.level(), line.text());
    }
    reported = new HashSet<>(translation.problems());
  }

  /** What to log when the problems go from {@code before} to {@code now}, in that order. */
  static List<Line> lines(Set<Problem> before, List<Problem> now) {
    List<Line> lines = new ArrayList<>();
    for (Problem problem : now) {
      if (before.contains(problem)) {
        continue;
      }
      String replaced = before.stream().filter(old -> sameField(old, problem) && !now.contains(old))
          .map(Problem::reason).findFirst().map(old -> " (was: " + old + ")").orElse("");
      lines.add(new Line(Level.WARN, problem.object() + ": " + problem.field() + ": " + problem.reason() + replaced));
    }
    for (Problem gone : before) {
      if (!now.contains(gone) && now.stream().noneMatch(current -> sameField(current, gone))) {
        lines.add(new Line(Level.INFO, gone.object() + ": " + gone.field() + ": resolved"));
      }
    }
    return lines;
  }

  private static boolean sameField(Problem a, Problem b) {
    return a.object().equals(b.object()) && a.field().equals(b.field());
  }
}
