package io.clbingress.dataplane.table;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Names that must not repeat within a part of a table: the hosts of a listener, the names of its
 * listeners and of its clusters.
 */
final class DistinctNames {

  private DistinctNames() {
  }

  /**
   * Checks that no two items have the same name. Names each after the one before in their natural
   * order (translation lists hosts and clusters so) are distinct: one comparison each, no set of
   * thousands with every change; any other list is checked with {@link #of}.
   *
   * @throws IllegalArgumentException {@code duplicate} followed by the first name listed twice
   */
  static <T> void require(List<T> items, Function<T, String> name, String duplicate) {
    for (int i = 1; i < items.size(); i++) {
      if (name.apply(items.get(i - 1)).compareTo(name.apply(items.get(i))) >= 0) {
        of(items, name, duplicate);
        return;
      }
    }
  }

  /**
   * The names of the items, as a set.
   *
   * @throws IllegalArgumentException {@code duplicate} followed by the first name listed twice
   */
  static <T> Set<String> of(List<T> items, Function<T, String> name, String duplicate) {
    // sized as Capacity.forEntries does (table/ imports nothing of ours: TablePackageDependenciesTest)
    Set<String> names = new HashSet<>(items.size() * 4 / 3 + 1);
    for (T item : items) {
      if (!names.add(name.apply(item))) {
        throw new IllegalArgumentException(duplicate + name.apply(item));
      }
    }
    return names;
  }
}
