package io.clbingress.dataplane.util;

/** Initial capacities of hash maps and sets that are filled with a known number of entries at once. */
public final class Capacity {

  private Capacity() {
  }

  /**
   * The initial capacity of a {@link java.util.HashMap} or {@link java.util.HashSet} (default load
   * factor 0.75) that holds {@code entries} without resizing while they are put: what JDK 19's
   * {@code HashMap.newHashMap} works out, for source level 17.
   *
   * @param entries 0 or more
   */
  public static int forEntries(int entries) {
    return entries * 4 / 3 + 1;
  }
}
