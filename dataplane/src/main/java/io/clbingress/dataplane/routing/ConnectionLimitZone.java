package io.clbingress.dataplane.routing;

import io.clbingress.dataplane.table.ConnectionLimit;
import io.clbingress.dataplane.table.SourceRanges;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The counts of one {@link ConnectionLimit}: requests in progress per client address (nginx's
 * {@code limit_conn}). A request takes a {@link Lease} when it is admitted and gives it back once,
 * however it ends (answered, the client gone, the backend failed, its tunnel closed, its HTTP/2
 * stream reset). An address is counted only while it has a request in progress, and at most
 * {@link #MAX_CLIENTS} addresses at once: a request of a new address beyond that is refused, as
 * nginx refuses when its zone is full. So millions of distinct clients keep the memory bounded.
 */
public final class ConnectionLimitZone {

  /** Client addresses counted at once per zone (about what ingress-nginx's 5 MB zone holds). */
  public static final int MAX_CLIENTS = 65_536;

  /** A request's place in the counts. */
  public interface Lease {
    /** Gives the place back; only the first call counts. */
    void release();
  }

  /** The lease of a request that counts for nothing (an exempt client). */
  public static final Lease NONE = () -> { };

  private final ConnectionLimit limit;
  private final int status;
  private final SourceRangeRules exempt;
  private final ClientCounts counts = new ClientCounts(MAX_CLIENTS);

  /** @param status the answer to a request over the limit ({@link LimitStatuses#connection}) */
  public ConnectionLimitZone(ConnectionLimit limit, int status) {
    this.limit = limit;
    this.status = status;
    this.exempt = limit.exempt().isEmpty() ? null : new SourceRangeRules(new SourceRanges(limit.exempt(), List.of()));
  }

  public ConnectionLimit limit() {
    return limit;
  }

  /** The status of a refused request. */
  public int status() {
    return status;
  }

  /**
   * A place for one more request of {@code clientAddress}, or null when it has as many in progress
   * as the limit allows, or the zone counts {@link #MAX_CLIENTS} others (nothing is taken then).
   * An exempt address always gets {@link #NONE}.
   */
  public Lease acquire(String clientAddress) {
    if (exempt != null && exempt.allows(clientAddress)) {
      return NONE;
    }
    String key = clientAddress == null ? "" : clientAddress;
    if (!counts.take(key, limit.connections())) {
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        counts.giveBack(key);
      }
    };
  }

  /** Client addresses counted now: zero once every request ended. */
  public int clientsCounted() {
    return counts.size();
  }
}
