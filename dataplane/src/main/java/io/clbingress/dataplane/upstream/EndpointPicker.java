package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Scheduler;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Chooses the endpoint for a request or tunnel, honouring endpoint weights and health: endpoints
 * that failed their active check or were ejected after repeated failures get no new requests,
 * unless every endpoint is down, when all of them are used again rather than failing (counted in
 * {@link EndpointHealth#panicPicks()}). Thread-safe: one picker serves all event loops. Callers
 * report the start and end of each request or tunnel, and its success or failure; counts and
 * health live in the data plane's registries, so they outlast routing tables.
 */
public abstract sealed class EndpointPicker {

  protected final List<Endpoint> endpoints;
  protected final AtomicInteger[] active;
  private final EndpointHealth.State[] health;
  private final EndpointHealth registry;

  private EndpointPicker(List<Endpoint> endpoints, EndpointLoad load, EndpointHealth registry) {
    this.endpoints = List.copyOf(endpoints);
    this.active = this.endpoints.stream().map(load::counter).toArray(AtomicInteger[]::new);
    this.health = this.endpoints.stream().map(registry::state).toArray(EndpointHealth.State[]::new);
    this.registry = registry;
  }

  public static EndpointPicker forScheduler(Scheduler scheduler, List<Endpoint> endpoints, EndpointLoad load,
      EndpointHealth health) {
    boolean weighted = endpoints.stream().anyMatch(e -> e.weightOrOne() != 1);
    return switch (scheduler) {
      case WRR -> weighted ? new SmoothWeightedRoundRobin(endpoints, load, health)
          : new RoundRobin(endpoints, load, health);
      case LEAST_CONN -> new LeastConnections(endpoints, load, health);
      case IP_HASH -> new ClientHash(endpoints, load, health);
    };
  }

  /** Index of the endpoint for a client; the list must not be empty. */
  public final int pick(String clientAddress) {
    int chosen = choose(clientAddress, index -> health[index].available());
    if (chosen >= 0) {
      return chosen;
    }
    registry.panicked();
    return choose(clientAddress, index -> true);
  }

  /** The scheduler's choice among the endpoints {@code allowed} accepts; -1 when it accepts none. */
  protected abstract int choose(String clientAddress, IntPredicate allowed);

  /**
   * The endpoint to try after {@code current} failed, for a request whose tries went in order from
   * {@code first} to {@code current} (each endpoint at most once per request, as nginx's
   * {@code proxy_next_upstream}): the next one after {@code current} that is not among them, an
   * available one first; -1 when every endpoint was tried.
   */
  public int nextUntried(int current, int first) {
    int fallback = -1;
    for (int i = 1; i < endpoints.size(); i++) {
      int candidate = (current + i) % endpoints.size();
      if (candidate == first) {
        break;
      }
      if (health[candidate].available()) {
        return candidate;
      }
      if (fallback < 0) {
        fallback = candidate;
      }
    }
    return fallback;
  }

  public Endpoint endpoint(int index) {
    return endpoints.get(index);
  }

  public int size() {
    return endpoints.size();
  }

  /** A request or tunnel to endpoint {@code index} began. */
  public void started(int index) {
    active[index].incrementAndGet();
  }

  /** A request or tunnel reported with {@link #started} ended. */
  public void finished(int index) {
    active[index].decrementAndGet();
  }

  /** The endpoint answered (below 500) or accepted a connection. */
  public void succeeded(int index) {
    health[index].succeeded();
  }

  /** A connect to the endpoint failed, or it answered 5xx. */
  public void failed(int index) {
    health[index].failed();
  }

  /** Equal weights: a shared counter, no lock. */
  static final class RoundRobin extends EndpointPicker {
    private final AtomicInteger counter = new AtomicInteger();

    RoundRobin(List<Endpoint> endpoints, EndpointLoad load, EndpointHealth health) {
      super(endpoints, load, health);
    }

    @Override
    protected int choose(String clientAddress, IntPredicate allowed) {
      int size = endpoints.size();
      for (int i = 0; i < size; i++) {
        int candidate = Math.floorMod(counter.getAndIncrement(), size);
        if (allowed.test(candidate)) {
          return candidate;
        }
      }
      return -1;
    }
  }

  /**
   * nginx's smooth weighted round robin over the allowed endpoints: every pick adds each weight to
   * its endpoint's score and takes the highest, which then gives back the total. Over any run of
   * (sum of weights) picks each endpoint is chosen exactly its weight's times, spread out.
   */
  static final class SmoothWeightedRoundRobin extends EndpointPicker {
    private final int[] weights;
    private final long[] scores;

    SmoothWeightedRoundRobin(List<Endpoint> endpoints, EndpointLoad load, EndpointHealth health) {
      super(endpoints, load, health);
      weights = this.endpoints.stream().mapToInt(Endpoint::weightOrOne).toArray();
      scores = new long[weights.length];
    }

    @Override
    protected synchronized int choose(String clientAddress, IntPredicate allowed) {
      int best = -1;
      long total = 0;
      for (int i = 0; i < weights.length; i++) {
        if (allowed.test(i)) {
          scores[i] += weights[i];
          total += weights[i];
          if (best < 0 || scores[i] > scores[best]) {
            best = i;
          }
        }
      }
      if (best >= 0) {
        scores[best] -= total;
      }
      return best;
    }
  }

  /** The fewest open requests and tunnels per unit of weight; ties taken in turn. */
  static final class LeastConnections extends EndpointPicker {
    private final AtomicInteger tieBreak = new AtomicInteger();

    LeastConnections(List<Endpoint> endpoints, EndpointLoad load, EndpointHealth health) {
      super(endpoints, load, health);
    }

    @Override
    protected int choose(String clientAddress, IntPredicate allowed) {
      int size = endpoints.size();
      int start = Math.floorMod(tieBreak.getAndIncrement(), size);
      int best = -1;
      for (int i = 0; i < size; i++) {
        int candidate = (start + i) % size;
        if (!allowed.test(candidate)) {
          continue;
        }
        // a/wa < b/wb without division: a*wb < b*wa
        if (best < 0 || (long) active[candidate].get() * endpoints.get(best).weightOrOne()
            < (long) active[best].get() * endpoints.get(candidate).weightOrOne()) {
          best = candidate;
        }
      }
      return best;
    }
  }

  /** IP_HASH: the client address on a consistent-hash ring, so endpoint changes move few clients. */
  static final class ClientHash extends EndpointPicker {
    private final HashRing ring;

    ClientHash(List<Endpoint> endpoints, EndpointLoad load, EndpointHealth health) {
      super(endpoints, load, health);
      ring = new HashRing(this.endpoints);
    }

    @Override
    protected int choose(String clientAddress, IntPredicate allowed) {
      return ring.owner(clientAddress == null ? "" : clientAddress, allowed);
    }
  }
}
