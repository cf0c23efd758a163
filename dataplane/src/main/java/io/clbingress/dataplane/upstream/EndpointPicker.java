package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Scheduler;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Chooses the endpoint for a request or tunnel. Thread-safe: one picker serves all event loops.
 * Callers report the end of what they started so that LEAST_CONN can count.
 */
public abstract sealed class EndpointPicker {

  protected final List<Endpoint> endpoints;

  private EndpointPicker(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  public static EndpointPicker forScheduler(Scheduler scheduler, List<Endpoint> endpoints) {
    return switch (scheduler) {
      case WRR -> new RoundRobin(endpoints);
      case LEAST_CONN -> new LeastConnections(endpoints);
      case IP_HASH -> new ClientHash(endpoints);
    };
  }

  /** Index of the endpoint for a client; the list must not be empty. */
  public abstract int pick(String clientAddress);

  /** The index to try after {@code failed} (the next endpoint once, for a connect failure). */
  public int next(int failed) {
    return (failed + 1) % endpoints.size();
  }

  public Endpoint endpoint(int index) {
    return endpoints.get(index);
  }

  public int size() {
    return endpoints.size();
  }

  public void started(int index) {
  }

  public void finished(int index) {
  }

  static final class RoundRobin extends EndpointPicker {
    private final AtomicInteger counter = new AtomicInteger();

    RoundRobin(List<Endpoint> endpoints) {
      super(endpoints);
    }

    @Override
    public int pick(String clientAddress) {
      return Math.floorMod(counter.getAndIncrement(), endpoints.size());
    }
  }

  static final class LeastConnections extends EndpointPicker {
    private final AtomicIntegerArray active;
    private final AtomicInteger tieBreak = new AtomicInteger();

    LeastConnections(List<Endpoint> endpoints) {
      super(endpoints);
      this.active = new AtomicIntegerArray(endpoints.size());
    }

    @Override
    public int pick(String clientAddress) {
      int size = endpoints.size();
      int start = Math.floorMod(tieBreak.getAndIncrement(), size);
      int best = start;
      for (int i = 1; i < size; i++) {
        int candidate = (start + i) % size;
        if (active.get(candidate) < active.get(best)) {
          best = candidate;
        }
      }
      return best;
    }

    @Override
    public void started(int index) {
      active.incrementAndGet(index);
    }

    @Override
    public void finished(int index) {
      active.decrementAndGet(index);
    }
  }

  static final class ClientHash extends EndpointPicker {
    ClientHash(List<Endpoint> endpoints) {
      super(endpoints);
    }

    @Override
    public int pick(String clientAddress) {
      return Math.floorMod(clientAddress == null ? 0 : clientAddress.hashCode(), endpoints.size());
    }
  }
}
