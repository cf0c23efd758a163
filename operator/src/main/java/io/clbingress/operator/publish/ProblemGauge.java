package io.clbingress.operator.publish;

import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.translate.Problem;
import io.clbingress.operator.translate.Translation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code clb_config_problems{object="Ingress ns/name"}}: the problems of the last translation per
 * object (a refused annotation or field, a missing Secret ...: each also a Warning Event and a
 * WARN line), so that an alert can say which object's configuration is not in force. The series
 * of an object go away once it has no problem left; the label is the object, as the data plane's
 * {@code route} label, so the series are bounded by the objects in the cluster.
 */
public final class ProblemGauge implements Consumer<Translation> {

  private final MultiGauge problems;

  public ProblemGauge(MeterRegistry registry) {
    problems = MultiGauge.builder("clb_config_problems")
        .description("Configuration problems of the last translation, by object; its last accepted configuration "
            + "stays in force").register(registry);
  }

  @Override
  public synchronized void accept(Translation translation) {
    Map<String, Integer> byObject = new TreeMap<>();
    for (Problem problem : translation.problems()) {
      ObjectRef object = problem.object();
      byObject.merge(object.toString(), 1, Integer::sum);
    }
    List<MultiGauge.Row<?>> rows = byObject.entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of("object", e.getKey()), e.getValue())).toList();
    problems.register(rows, true);
  }
}
