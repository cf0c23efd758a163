package io.clbingress.dataplane.table;

import java.util.List;

/**
 * Request rates per client address, counted by each data plane on its own (Envoy's "local" rate
 * limit; ingress-nginx's {@code limit-rps}, {@code limit-rpm}, {@code limit-burst-multiplier} and
 * {@code limit-whitelist}, which are nginx's {@code limit_req ... burst=N nodelay} per replica). The
 * routes of one source (one Ingress) with equal limits share their counts, as ingress-nginx's zone
 * per Ingress. A client may send {@code rate × burstMultiplier} requests at once above the rate
 * (nginx's leaky bucket with {@code nodelay}); a request beyond that is answered 503 without
 * reaching a backend, WebSocket upgrades included.
 *
 * @param requestsPerSecond 0 for none, else 1–1000000
 * @param requestsPerMinute 0 for none, else 1–60000000; with both set, a request must pass both
 * @param burstMultiplier how many times the rate a client may exceed it by at once, 1–1000
 *     (ingress-nginx's default is 5)
 * @param exempt client addresses and CIDRs never limited ({@link Cidr})
 * @throws IllegalArgumentException for a value out of range, neither rate set, or a wrong address
 */
public record LocalRateLimit(long requestsPerSecond, long requestsPerMinute, int burstMultiplier, List<String> exempt)
    implements RouteFilter {

  public LocalRateLimit {
    exempt = exempt == null ? List.of() : List.copyOf(exempt);
    if (requestsPerSecond < 0 || requestsPerSecond > 1_000_000 || requestsPerMinute < 0
        || requestsPerMinute > 60_000_000) {
      throw new IllegalArgumentException("rates out of range: " + requestsPerSecond + "/s, " + requestsPerMinute + "/min");
    }
    if (requestsPerSecond == 0 && requestsPerMinute == 0) {
      throw new IllegalArgumentException("a rate limit without a rate");
    }
    if (burstMultiplier < 1 || burstMultiplier > 1000) {
      throw new IllegalArgumentException("burst multiplier " + burstMultiplier + " is not 1–1000");
    }
    for (String range : exempt) {
      Cidr.parse(range);
    }
  }
}
