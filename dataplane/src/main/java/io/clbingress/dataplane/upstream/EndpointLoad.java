package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.Endpoint;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open requests and tunnels per endpoint address, for the whole data plane and across routing
 * tables: LEAST_CONN must still see the WebSockets that a previous table's routes opened.
 */
public final class EndpointLoad {

  private final ConcurrentHashMap<String, AtomicInteger> active = new ConcurrentHashMap<>();

  /** The counter of an endpoint (by host and port); the same object for every table. */
  AtomicInteger counter(Endpoint endpoint) {
    return active.computeIfAbsent(endpoint.toString(), key -> new AtomicInteger());
  }
}
