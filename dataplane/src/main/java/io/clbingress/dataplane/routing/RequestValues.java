package io.clbingress.dataplane.routing;

/**
 * A request's values that a route's rules may read, whichever engine read the request: for a
 * {@link CanarySplit} and a cluster's hash key. Read only for routes that ask.
 */
public interface RequestValues {

  /** The first value of a header, any case of its name; null when absent. */
  String header(String name);

  /** A cookie's value, over every Cookie header line; null when absent. */
  String cookie(String name);

  /** The client's address. */
  String clientAddress();

  /** {@code https} when the request came over TLS, else {@code http}. */
  String scheme();
}
