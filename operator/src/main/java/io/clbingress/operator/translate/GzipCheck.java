package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Gzip;
import io.clbingress.dataplane.table.TableText;
import io.clbingress.operator.state.ListenerInfo;
import io.clbingress.operator.state.ObjectRef;
import java.util.ArrayList;
import java.util.List;

/**
 * A CLBListener's {@code spec.defaults.gzip}, checked. A wrong value is a problem naming its field
 * ({@code spec.defaults.gzip.minLength}, {@code spec.defaults.gzip.types[1]}), and the listener is
 * served without compression rather than not at all: compression guards nothing, and its absence
 * costs bytes, not correctness (as {@code spec.backendProxyProtocol} on an HTTP listener is ignored).
 */
final class GzipCheck {

  private static final String FIELD = "spec.defaults.gzip";
  private static final String IGNORED = "; the listener compresses nothing";

  private GzipCheck() {
  }

  /**
   * @param layer4 a TCP or TCP_SSL listener: it has no HTTP answers to compress (a problem when enabled)
   * @return the settings when {@code enabled: true} and all is valid; null otherwise (off, or after a problem).
   *     An unset {@code minLength} is 256 and unset {@code types} ingress-nginx's list ({@link Gzip#DEFAULTS})
   */
  static Gzip gzip(ObjectRef ref, ListenerInfo.Gzip written, boolean layer4, List<Problem> problems) {
    if (written == null) {
      return null;
    }
    boolean enabled = Boolean.TRUE.equals(written.enabled());
    if (enabled && layer4) {
      problems.add(new Problem(ref, FIELD + ".enabled", "is for HTTP and HTTPS listeners (a TCP listener carries no"
          + " HTTP answers); ignored"));
      return null;
    }
    int before = problems.size();
    long minLength = written.minLength() == null ? Gzip.DEFAULT_MIN_LENGTH : written.minLength();
    if (minLength < 0) {
      problems.add(new Problem(ref, FIELD + ".minLength", minLength + " is not a length (0 or more bytes)" + IGNORED));
    }
    List<String> types = new ArrayList<>();
    for (int i = 0; i < written.types().size(); i++) {
      String type = written.types().get(i);
      if (type == null || !Gzip.isMediaType(type.trim())) {
        problems.add(new Problem(ref, FIELD + ".types[" + i + "]", "\"" + (type == null ? "" : TableText.printable(type))
            + "\" is not a media type (type/subtype without parameters, e.g. application/json) or *" + IGNORED));
      } else {
        types.add(type);
      }
    }
    if (problems.size() > before || !enabled) {
      return null;
    }
    return new Gzip(minLength, types.isEmpty() ? Gzip.DEFAULT_TYPES : types);
  }
}
