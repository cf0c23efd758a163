package io.clbingress.operator.translate;

import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.List;
import java.util.Map;

/** Validation of a CLBListener's own fields (not its rules), and parsing of its durations. */
final class ListenerCheck {

  private ListenerCheck() {
  }

  /**
   * @param portOwners listeners already holding a port (older ones first)
   * @return the listener's defaults when it is acceptable, else null with problems added
   */
  static TimeoutOverrides accept(ListenerInfo listener, Map<Integer, ObjectRef> portOwners, List<Problem> problems) {
    int before = problems.size();
    ObjectRef ref = listener.ref();
    if (listener.protocol() == null) {
      problems.add(new Problem(ref, "spec.protocol", "is required (HTTP, HTTPS, TCP or TCP_SSL)"));
    } else if (!listener.protocol().equals("HTTP")) {
      problems.add(new Problem(ref, "spec.protocol", listener.protocol()
          + " listeners are not served yet (this build serves HTTP listeners); the listener is not programmed"));
    }
    if (listener.port() == null || listener.port() < 1 || listener.port() > 65535) {
      problems.add(new Problem(ref, "spec.port", listener.port() + " is not a port (1-65535)"));
    } else if (portOwners.containsKey(listener.port())) {
      problems.add(new Problem(ref, "spec.port", "port " + listener.port() + " is already used by "
          + portOwners.get(listener.port()) + ", which is older; the listener is not programmed"));
    }
    TimeoutOverrides defaults = timeouts(ref, listener.defaults(), "spec.defaults", problems);
    if (problems.size() > before) {
      return null;
    }
    portOwners.put(listener.port(), ref);
    return defaults;
  }

  /** Parses a layer of timeout texts; wrong ones become problems on {@code prefix.proxyReadTimeout} etc. */
  static TimeoutOverrides timeouts(ObjectRef ref, ListenerInfo.Timeouts texts, String prefix, List<Problem> problems) {
    return new TimeoutOverrides(
        seconds(ref, texts.read(), prefix + ".proxyReadTimeout", AnnotationSpec.PROXY_READ_TIMEOUT, problems),
        seconds(ref, texts.send(), prefix + ".proxySendTimeout", AnnotationSpec.PROXY_SEND_TIMEOUT, problems),
        seconds(ref, texts.connect(), prefix + ".proxyConnectTimeout", AnnotationSpec.PROXY_CONNECT_TIMEOUT, problems));
  }

  private static Long seconds(ObjectRef ref, String text, String field, AnnotationSpec spec, List<Problem> problems) {
    if (text == null) {
      return null;
    }
    AnnotationValue<Long> value = AnnotationParser.parseSeconds(field, text, spec);
    if (value instanceof AnnotationValue.Invalid<Long> invalid) {
      problems.add(new Problem(ref, field, invalid.reason()));
      return null;
    }
    return value.orElse(null);
  }
}
