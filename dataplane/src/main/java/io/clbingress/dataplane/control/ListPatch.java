package io.clbingress.dataplane.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A list told against an earlier list that the receiver holds: runs of the earlier list's items
 * kept as they are, and the other items given whole, in the new list's order. Items are the
 * routing table's immutable records; an item counts as kept only when it is the very object of
 * the earlier list (what translation hands over for an unchanged virtual host or cluster), so a
 * patch never depends on equality being cheap or right.
 *
 * @param pieces the new list, in order: each a run of the earlier list or one item
 * @param <T> the item type
 */
public record ListPatch<T>(List<Piece<T>> pieces) {

  public ListPatch {
    pieces = List.copyOf(pieces);
  }

  /**
   * One piece of the new list.
   *
   * @param from index of the run's first item in the earlier list (0 or more); 0 with an item
   * @param count how many of the earlier list's items from {@code from} on (1 or more); 0 with an item
   * @param item an item given whole, or null for a run
   * @param <T> the item type
   */
  public record Piece<T>(@JsonInclude(JsonInclude.Include.NON_DEFAULT) int from,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) int count,
      @JsonInclude(JsonInclude.Include.NON_NULL) T item) {

    public Piece {
      if (item == null ? from < 0 || count < 1 : from != 0 || count != 0) {
        throw new IllegalArgumentException("a piece is a run (from >= 0, count >= 1) or an item, not from="
            + from + " count=" + count + (item == null ? " without an item" : " with an item"));
      }
    }
  }

  /** @return {@code next} told against {@code earlier}: runs of the objects both hold in the same order, the rest whole */
  public static <T> ListPatch<T> between(List<T> earlier, List<T> next) {
    Map<T, Integer> index = new IdentityHashMap<>(earlier.size() * 2);
    for (int i = 0; i < earlier.size(); i++) {
      index.put(earlier.get(i), i);
    }
    List<Piece<T>> pieces = new ArrayList<>();
    int from = 0;
    int count = 0;
    for (T item : next) {
      Integer at = index.get(item);
      if (at != null && count > 0 && at == from + count) {
        count++;
        continue;
      }
      if (count > 0) {
        pieces.add(new Piece<>(from, count, null));
        count = 0;
      }
      if (at != null) {
        from = at;
        count = 1;
      } else {
        pieces.add(new Piece<>(0, 0, item));
      }
    }
    if (count > 0) {
      pieces.add(new Piece<>(from, count, null));
    }
    return new ListPatch<>(pieces);
  }

  /**
   * @return the new list: the runs taken from {@code earlier} (the same objects), the items as given
   * @throws IllegalArgumentException when a run reaches beyond {@code earlier}: the patch was made
   *     against another list
   */
  public List<T> applyTo(List<T> earlier) {
    List<T> items = new ArrayList<>();
    for (Piece<T> piece : pieces) {
      if (piece.item() != null) {
        items.add(piece.item());
      } else if (piece.from() + (long) piece.count() > earlier.size()) {
        throw new IllegalArgumentException("run of " + piece.count() + " from " + piece.from()
            + " reaches beyond the " + earlier.size() + " items held");
      } else {
        items.addAll(earlier.subList(piece.from(), piece.from() + piece.count()));
      }
    }
    return items;
  }
}
