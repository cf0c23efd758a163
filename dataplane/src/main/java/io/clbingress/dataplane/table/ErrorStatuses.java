package io.clbingress.dataplane.table;

import java.util.List;

/**
 * Lists of answer statuses that a route filter acts on ({@link Retry#codes}, {@link ErrorPages#codes}):
 * client and server errors only, RFC 9110 §15.5–15.6 (400–599).
 */
final class ErrorStatuses {

  private ErrorStatuses() {
  }

  /**
   * The list, copied; an empty one for null.
   *
   * @param what names the list in the message, such as {@code "retry"}
   * @throws IllegalArgumentException for a status outside 400–599
   */
  static List<Integer> checked(List<Integer> codes, String what) {
    List<Integer> copy = codes == null ? List.of() : List.copyOf(codes);
    for (int code : copy) {
      if (code < 400 || code > 599) {
        throw new IllegalArgumentException(what + " status " + code + " is outside 400–599");
      }
    }
    return copy;
  }

  /** Whether {@code status} is in the list: a loop, no boxing (this runs for answers of 400 and above). */
  static boolean contains(List<Integer> codes, int status) {
    for (int i = 0; i < codes.size(); i++) {
      if (codes.get(i) == status) {
        return true;
      }
    }
    return false;
  }
}
