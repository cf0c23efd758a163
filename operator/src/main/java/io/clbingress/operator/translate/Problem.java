package io.clbingress.operator.translate;

import io.clbingress.operator.state.ObjectRef;

/**
 * Something wrong with a user's object: which object, which field, and why. Becomes a Warning
 * Event (operator) or a WARN log line (standalone).
 *
 * @param field where in the object, e.g. {@code metadata.annotations[clb.ingress.io/proxy-read-timeout]}
 * @param eventReason the Warning Event's {@code reason}: {@link #INVALID_CONFIGURATION} for a value
 *     that was refused, {@link #UNSUPPORTED_ANNOTATION} for annotations that are not honoured
 */
public record Problem(ObjectRef object, String field, String reason, String eventReason) {

  /** A value was refused: the object (or the part the field names) keeps its last accepted form. */
  public static final String INVALID_CONFIGURATION = "InvalidConfiguration";
  /** Annotations that are not honoured; the route is served without them (issue "move from ingress-nginx"). */
  public static final String UNSUPPORTED_ANNOTATION = "UnsupportedAnnotation";

  /** A problem with {@link #INVALID_CONFIGURATION} as its Event reason. */
  public Problem(ObjectRef object, String field, String reason) {
    this(object, field, reason, INVALID_CONFIGURATION);
  }

  public static String annotationField(String key) {
    return "metadata.annotations[" + key + "]";
  }

  @Override
  public String toString() {
    return object + ": " + field + ": " + reason;
  }
}
