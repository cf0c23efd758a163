package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.HttpHeader;
import io.clbingress.dataplane.table.RequestHeaderModifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A route's {@link RequestHeaderModifier} headers to set, compiled once with the table: which names
 * it sets and which of its lines the backend gets, so that a request only asks. Names are compared
 * without regard to case (RFC 9110 §5.1). A set header replaces every earlier field of its name,
 * the client's and the proxy's, and a later set of the same name replaces an earlier one (as
 * {@code HttpHeaders.set} in order, and Gateway API's {@code RequestHeaderModifier.set}).
 */
public final class SetHeaders {

  /** A route that sets no header. */
  public static final SetHeaders NONE = new SetHeaders(List.of());

  /**
   * Field names compared as {@link String#CASE_INSENSITIVE_ORDER} does, on any {@link CharSequence}
   * (the request's names are Netty's {@code AsciiString}s), so that a lookup makes no string.
   */
  private static final java.util.Comparator<CharSequence> IGNORING_CASE = (a, b) -> {
    int length = Math.min(a.length(), b.length());
    for (int i = 0; i < length; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        x = Character.toLowerCase(Character.toUpperCase(x));
        y = Character.toLowerCase(Character.toUpperCase(y));
        if (x != y) {
          return x - y;
        }
      }
    }
    return a.length() - b.length();
  };

  private final List<HttpHeader> inOrder;
  private final Set<CharSequence> names;
  private final List<HttpHeader> lines;

  private SetHeaders(List<HttpHeader> inOrder) {
    this.inOrder = List.copyOf(inOrder);
    TreeSet<CharSequence> seen = new TreeSet<>(IGNORING_CASE);
    List<HttpHeader> last = new ArrayList<>();
    for (int i = inOrder.size() - 1; i >= 0; i--) {
      HttpHeader header = inOrder.get(i);
      if (seen.add(header.name()) && !header.name().equalsIgnoreCase("expect")) {
        last.add(header);
      }
    }
    Collections.reverse(last);
    this.names = Collections.unmodifiableSet(seen);
    this.lines = List.copyOf(last);
  }

  /** The headers a route's filter sets, in the filter's order; {@link #NONE} for an empty list. */
  public static SetHeaders of(List<HttpHeader> headers) {
    return headers.isEmpty() ? NONE : new SetHeaders(headers);
  }

  /** Every header as the filter gives it, in order (to apply with a header map's {@code set}). */
  public List<HttpHeader> inOrder() {
    return inOrder;
  }

  /** Whether a field named {@code name} (any case) is set by the route, so that no other field of the name goes on. */
  public boolean sets(CharSequence name) {
    return !names.isEmpty() && names.contains(name);
  }

  /**
   * The lines the backend gets from the route, in the filter's order: the last of each name,
   * never {@code Expect} (the proxy answers 100-continue itself; a route cannot ask the backend for
   * one).
   */
  public List<HttpHeader> lines() {
    return lines;
  }

  public boolean isEmpty() {
    return inOrder.isEmpty();
  }

  /** Equal when they set the same headers in the same order (as the filter's list was compared before). */
  @Override
  public boolean equals(Object other) {
    return other instanceof SetHeaders that && inOrder.equals(that.inOrder);
  }

  @Override
  public int hashCode() {
    return inOrder.hashCode();
  }

  @Override
  public String toString() {
    return inOrder.toString();
  }
}
