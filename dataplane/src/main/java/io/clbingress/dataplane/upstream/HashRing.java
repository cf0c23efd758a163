package io.clbingress.dataplane.upstream;

import io.clbingress.dataplane.table.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing of client addresses onto endpoints (IP_HASH): each endpoint owns points on a
 * ring in proportion to its weight, and a client goes to the owner of the first point at or after
 * its own hash. Adding or removing an endpoint moves only the clients whose points it takes or
 * gives back, about 1/n of them, and a client's endpoint does not depend on the endpoints' order.
 */
final class HashRing {

  private static final int POINTS_PER_WEIGHT = 160;

  private final long[] points;
  private final int[] owners;

  HashRing(List<Endpoint> endpoints) {
    int total = endpoints.stream().mapToInt(e -> POINTS_PER_WEIGHT * e.weightOrOne()).sum();
    long[][] ring = new long[total][];
    int n = 0;
    for (int index = 0; index < endpoints.size(); index++) {
      Endpoint endpoint = endpoints.get(index);
      for (int i = 0; i < POINTS_PER_WEIGHT * endpoint.weightOrOne(); i++) {
        ring[n++] = new long[] {hash(endpoint + "#" + i), index};
      }
    }
    Arrays.sort(ring, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
        : endpoints.get((int) a[1]).toString().compareTo(endpoints.get((int) b[1]).toString()));
    points = new long[total];
    owners = new int[total];
    for (int i = 0; i < total; i++) {
      points[i] = ring[i][0];
      owners[i] = (int) ring[i][1];
    }
  }

  /** The endpoint index owning {@code key}'s place on the ring. */
  int owner(String key) {
    return owner(key, index -> true);
  }

  /**
   * The first owner at or after {@code key}'s place that {@code allowed} accepts, or -1 when it
   * accepts none: a client of an unavailable endpoint goes where it would go if that endpoint were
   * removed, and comes back after.
   */
  int owner(String key, java.util.function.IntPredicate allowed) {
    int at = Arrays.binarySearch(points, hash(key));
    int start = at >= 0 ? at : -at - 1;
    for (int i = 0; i < points.length; i++) {
      int owner = owners[(start + i) % points.length];
      if (allowed.test(owner)) {
        return owner;
      }
    }
    return -1;
  }

  /** FNV-1a over the UTF-8 bytes, then MurmurHash3's finalizer to spread nearby keys apart. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
