package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.Endpoint;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether each endpoint may take new requests, for the whole data plane and across routing
 * tables: the verdict of its active health check, and passive ejection after
 * {@value #PASSIVE_FAILURES} consecutive failures (connect failures or 5xx answers) for a backoff
 * that doubles with each ejection in a row, from 10 s up to 5 min (as Envoy's outlier detection).
 */
public final class EndpointHealth {

  static final int PASSIVE_FAILURES = 5;
  private static final long BASE_EJECTION_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long MAX_EJECTION_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
  private final AtomicLong panicPicks = new AtomicLong();

  /** The state of an endpoint (by host and port); the same object for every table. */
  public State state(Endpoint endpoint) {
    return states.computeIfAbsent(endpoint.toString(), key -> new State());
  }

  /** Picks made while every endpoint of the cluster was unhealthy, so all of them were used. */
  public long panicPicks() {
    return panicPicks.get();
  }

  void panicked() {
    panicPicks.incrementAndGet();
  }

  /** One endpoint's health. Updated from any event loop; read on every pick. */
  public static final class State {
    private volatile boolean activeDown;
    private volatile long ejectedUntil;
    private volatile boolean ejected;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger ejectionsInARow = new AtomicInteger();

    /** Whether it may take new requests now. */
    public boolean available() {
      if (activeDown) {
        return false;
      }
      if (ejected && System.nanoTime() - ejectedUntil >= 0) {
        ejected = false;
      }
      return !ejected;
    }

    /** The active check's verdict. */
    public void activeVerdict(boolean healthy) {
      activeDown = !healthy;
    }

    public boolean activeDown() {
      return activeDown;
    }

    /** A request or connect to it succeeded (an answer below 500). */
    public void succeeded() {
      consecutiveFailures.set(0);
      if (!ejected) {
        ejectionsInARow.set(0);
      }
    }

    /** A connect failed or it answered 5xx; enough of those in a row eject it. */
    public void failed() {
      if (consecutiveFailures.incrementAndGet() >= PASSIVE_FAILURES) {
        consecutiveFailures.set(0);
        int times = Math.min(ejectionsInARow.getAndIncrement(), 5);
        ejectedUntil = System.nanoTime() + Math.min(MAX_EJECTION_NANOS, BASE_EJECTION_NANOS << times);
        ejected = true;
      }
    }
  }
}
