package io.clbingress.operator.translate;

import io.clbingress.operator.state.ObjectRef;

/**
 * Something wrong with a user's object: which object, which field, and why. Becomes a Warning
 * Event (operator) or a WARN log line (standalone).
 *
 * @param field where in the object, e.g. {@code metadata.annotations[clb.ingress.io/proxy-read-timeout]}
 */
public record Problem(ObjectRef object, String field, String reason) {

  public static String annotationField(String key) {
    return "metadata.annotations[" + key + "]";
  }

  @Override
  public String toString() {
    return object + ": " + field + ": " + reason;
  }
}
