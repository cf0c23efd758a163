package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Scheduler;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the endpoint for a request or tunnel, honouring endpoint weights. Thread-safe: one
 * picker serves all event loops. Callers report the start and end of each request or tunnel;
 * the counts live in the data plane's {@link EndpointLoad}, so they outlast routing tables.
 */
public abstract sealed class EndpointPicker {

  protected final List<Endpoint> endpoints;
  protected final AtomicInteger[] active;

  private EndpointPicker(List<Endpoint> endpoints, EndpointLoad load) {
    this.endpoints = List.copyOf(endpoints);
    this.active = this.endpoints.stream().map(load::counter).toArray(AtomicInteger[]::new);
  }

  public static EndpointPicker forScheduler(Scheduler scheduler, List<Endpoint> endpoints, EndpointLoad load) {
    boolean weighted = endpoints.stream().anyMatch(e -> e.weightOrOne() != 1);
    return switch (scheduler) {
      case WRR -> weighted ? new SmoothWeightedRoundRobin(endpoints, load) : new RoundRobin(endpoints, load);
      case LEAST_CONN -> new LeastConnections(endpoints, load);
      case IP_HASH -> new ClientHash(endpoints, load);
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

  /** A request or tunnel to endpoint {@code index} began. */
  public void started(int index) {
    active[index].incrementAndGet();
  }

  /** A request or tunnel reported with {@link #started} ended. */
  public void finished(int index) {
    active[index].decrementAndGet();
  }

  /** Equal weights: a shared counter, no lock. */
  static final class RoundRobin extends EndpointPicker {
    private final AtomicInteger counter = new AtomicInteger();

    RoundRobin(List<Endpoint> endpoints, EndpointLoad load) {
      super(endpoints, load);
    }

    @Override
    public int pick(String clientAddress) {
      return Math.floorMod(counter.getAndIncrement(), endpoints.size());
    }
  }

  /**
   * nginx's smooth weighted round robin: every pick adds each weight to its endpoint's score and
   * takes the highest, which then gives back the total. Over any run of (sum of weights) picks each
   * endpoint is chosen exactly its weight's times, spread out rather than in bursts.
   */
  static final class SmoothWeightedRoundRobin extends EndpointPicker {
    private final int[] weights;
    private final long[] scores;
    private final int total;

    SmoothWeightedRoundRobin(List<Endpoint> endpoints, EndpointLoad load) {
      super(endpoints, load);
      weights = this.endpoints.stream().mapToInt(Endpoint::weightOrOne).toArray();
      scores = new long[weights.length];
      total = java.util.Arrays.stream(weights).sum();
    }

    @Override
    public synchronized int pick(String clientAddress) {
      int best = 0;
      for (int i = 0; i < weights.length; i++) {
        scores[i] += weights[i];
        if (scores[i] > scores[best]) {
          best = i;
        }
      }
      scores[best] -= total;
      return best;
    }
  }

  /** The fewest open requests and tunnels per unit of weight; ties taken in turn. */
  static final class LeastConnections extends EndpointPicker {
    private final AtomicInteger tieBreak = new AtomicInteger();

    LeastConnections(List<Endpoint> endpoints, EndpointLoad load) {
      super(endpoints, load);
    }

    @Override
    public int pick(String clientAddress) {
      int size = endpoints.size();
      int start = Math.floorMod(tieBreak.getAndIncrement(), size);
      int best = start;
      for (int i = 1; i < size; i++) {
        int candidate = (start + i) % size;
        // a/wa < b/wb without division: a*wb < b*wa
        long candidateLoad = (long) active[candidate].get() * endpoints.get(best).weightOrOne();
        long bestLoad = (long) active[best].get() * endpoints.get(candidate).weightOrOne();
        if (candidateLoad < bestLoad) {
          best = candidate;
        }
      }
      return best;
    }
  }

  /** IP_HASH: the client address on a consistent-hash ring, so endpoint changes move few clients. */
  static final class ClientHash extends EndpointPicker {
    private final HashRing ring;

    ClientHash(List<Endpoint> endpoints, EndpointLoad load) {
      super(endpoints, load);
      ring = new HashRing(this.endpoints);
    }

    @Override
    public int pick(String clientAddress) {
      return ring.owner(clientAddress == null ? "" : clientAddress);
    }
  }
}
