package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.BackendProtocol;
import io.clbingress.dataplane.table.Scheduler;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The annotations of one Ingress, parsed and validated; timeouts it does not set stay unset, to be
 * filled from the listener's defaults and the controller's flags.
 *
 * @param listeners the CLBListeners named by {@code clb.ingress.io/listener}; empty for the defaults
 */
record IngressOptions(TimeoutOverrides timeouts, boolean sslRedirect, BackendProtocol backendProtocol, Scheduler scheduler,
    long sessionPersistenceSeconds, List<String> listeners) {

  /** Options, or the problems that keep this Ingress from being accepted. */
  record Parsed(IngressOptions options, List<Problem> problems) {
  }

  static Parsed parse(IngressInfo ingress, Set<ObjectRef> existingListeners) {
    Map<String, String> annotations = ingress.annotations();
    List<Problem> problems = new ArrayList<>();
    Long read = valid(ingress, problems, AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_READ_TIMEOUT), null);
    Long send = valid(ingress, problems, AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_SEND_TIMEOUT), null);
    Long connect = valid(ingress, problems,
        AnnotationParser.seconds(annotations, AnnotationSpec.PROXY_CONNECT_TIMEOUT), null);
    boolean sslRedirect = valid(ingress, problems, AnnotationParser.bool(annotations, AnnotationSpec.SSL_REDIRECT), true);
    String protocol = valid(ingress, problems,
        AnnotationParser.choice(annotations, AnnotationSpec.BACKEND_PROTOCOL), "HTTP");
    String scheduler = valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.SCHEDULER), "WRR");
    long session = valid(ingress, problems,
        AnnotationParser.secondsOrOff(annotations, AnnotationSpec.SESSION_PERSISTENCE), 0L);
    List<String> listeners = valid(ingress, problems, AnnotationParser.names(annotations, AnnotationSpec.LISTENER),
        List.of());
    for (String listener : listeners) {
      ObjectRef wanted = new ObjectRef("CLBListener", ingress.ref().namespace(), listener);
      if (!existingListeners.contains(wanted)) {
        problems.add(new Problem(ingress.ref(), Problem.annotationField(AnnotationSpec.LISTENER.key()),
            wanted + " not found"));
      }
    }
    IngressOptions options = new IngressOptions(new TimeoutOverrides(read, send, connect), sslRedirect,
        BackendProtocol.valueOf(protocol), Scheduler.valueOf(scheduler), session, listeners);
    return new Parsed(options, List.copyOf(problems));
  }

  private static <T> T valid(IngressInfo ingress, List<Problem> problems, AnnotationValue<T> value, T fallback) {
    if (value instanceof AnnotationValue.Invalid<T> invalid) {
      problems.add(new Problem(ingress.ref(), Problem.annotationField(invalid.key()), invalid.reason()));
    }
    return value.orElse(fallback);
  }
}
