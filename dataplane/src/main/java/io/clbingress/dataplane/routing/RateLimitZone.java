package io.clbingress.dataplane.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.clbingress.dataplane.table.LocalRateLimit;
import io.clbingress.dataplane.table.SourceRanges;
import java.time.Duration;
import java.util.List;

/**
 * The counts of one {@link LocalRateLimit}: per client address, nginx's {@code limit_req} leaky
 * bucket with {@code nodelay} (ngx_http_limit_req_module): each request adds one to the client's
 * excess, which drains at the rate; a request that would take the excess above the burst is
 * refused and changes nothing. At most {@link #MAX_CLIENTS} addresses are remembered, the least
 * recently seen forgotten first, and an address is forgotten once its excess has drained (what
 * it would read as then is what a new address reads as), so millions of distinct clients keep
 * the memory bounded; a client forgotten under that pressure starts afresh.
 */
public final class RateLimitZone {

  /** Client addresses remembered per zone (nginx's default zone of ingress-nginx holds about as many). */
  public static final int MAX_CLIENTS = 65_536;

  private final LocalRateLimit limit;
  private final int status;
  private final SourceRangeRules exempt;
  /** Per rate: thousandths of a request drained per millisecond ×1000, and the burst in thousandths. */
  private final long[] ratePerSecondMilli;
  private final long[] burstMilli;
  private final Cache<String, long[]> clients;

  /** A zone whose refusals are 503 (ingress-nginx's default). */
  public RateLimitZone(LocalRateLimit limit) {
    this(limit, LimitStatuses.DEFAULTS.request());
  }

  /** @param status the answer to a request over the limit ({@link LimitStatuses#request}) */
  public RateLimitZone(LocalRateLimit limit, int status) {
    this.limit = limit;
    this.status = status;
    this.exempt = limit.exempt().isEmpty() ? null : new SourceRangeRules(new SourceRanges(limit.exempt(), List.of()));
    int rates = (limit.requestsPerSecond() > 0 ? 1 : 0) + (limit.requestsPerMinute() > 0 ? 1 : 0);
    ratePerSecondMilli = new long[rates];
    burstMilli = new long[rates];
    int i = 0;
    long drainMillis = 0;
    if (limit.requestsPerSecond() > 0) {
      ratePerSecondMilli[i] = limit.requestsPerSecond() * 1000;
      burstMilli[i++] = limit.requestsPerSecond() * limit.burstMultiplier() * 1000;
      drainMillis = Math.max(drainMillis, limit.burstMultiplier() * 1000L + 1000);
    }
    if (limit.requestsPerMinute() > 0) {
      ratePerSecondMilli[i] = limit.requestsPerMinute() * 1000 / 60;
      burstMilli[i] = limit.requestsPerMinute() * limit.burstMultiplier() * 1000;
      drainMillis = Math.max(drainMillis, limit.burstMultiplier() * 60_000L + 1000);
    }
    clients = Caffeine.newBuilder().maximumSize(MAX_CLIENTS).expireAfterAccess(Duration.ofMillis(drainMillis)).build();
  }

  public LocalRateLimit limit() {
    return limit;
  }

  /** The status of a refused request. */
  public int status() {
    return status;
  }

  /**
   * Whether a request of {@code clientAddress} at {@code nowMillis} (a monotonic clock) is served;
   * counts it when it is. An exempt address is always served.
   */
  public boolean admit(String clientAddress, long nowMillis) {
    if (exempt != null && exempt.allows(clientAddress)) {
      return true;
    }
    // state: per rate its excess (thousandths of a request), then the time of the last count
    long[] state = clients.get(clientAddress == null ? "" : clientAddress, key -> newState(nowMillis));
    synchronized (state) {
      long elapsed = Math.max(0, nowMillis - state[state.length - 1]);
      for (int i = 0; i < ratePerSecondMilli.length; i++) {
        if (excess(state, i, elapsed) > burstMilli[i]) {
          return false; // nginx: over the burst, refused, the state unchanged
        }
      }
      for (int i = 0; i < ratePerSecondMilli.length; i++) {
        state[i] = excess(state, i, elapsed);
      }
      state[state.length - 1] = nowMillis;
      return true;
    }
  }

  /** The excess of rate {@code i} with one more request, {@code elapsed} ms after the last count. */
  private long excess(long[] state, int i, long elapsed) {
    return Math.max(0, state[i] - ratePerSecondMilli[i] * elapsed / 1000 + 1000);
  }

  private long[] newState(long nowMillis) {
    long[] state = new long[ratePerSecondMilli.length + 1];
    java.util.Arrays.fill(state, 0, ratePerSecondMilli.length, -1000); // the first request brings it to 0
    state[state.length - 1] = nowMillis;
    return state;
  }

  /** Client addresses remembered now (for tests and metrics; approximate while requests come). */
  public long clientsRemembered() {
    clients.cleanUp();
    return clients.estimatedSize();
  }
}
