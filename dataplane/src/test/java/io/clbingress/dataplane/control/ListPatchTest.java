package io.clbingress.dataplane.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ListPatch}: a list told against an earlier one and rebuilt on it is the list, holding the
 * earlier list's objects wherever the list held them.
 */
class ListPatchTest {

  @Test
  void aRebuiltListIsTheListWithTheEarlierObjectsWhereItHeldThem() {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      // Given an earlier list of distinct objects, and a next list of some of them (moved,
      // dropped), equal copies of others and new items
      List<String> earlier = new ArrayList<>();
      int size = random.nextInt(30);
      for (int i = 0; i < size; i++) {
        earlier.add(new String("item-" + i));
      }
      List<String> next = new ArrayList<>(earlier);
      int edits = random.nextInt(6);
      for (int e = 0; e < edits; e++) {
        int at = next.isEmpty() ? 0 : random.nextInt(next.size());
        switch (random.nextInt(4)) {
          case 0 -> next.add(random.nextInt(next.size() + 1), new String("new-" + round + "-" + e));
          case 1 -> {
            if (!next.isEmpty()) {
              next.remove(at);
            }
          }
          case 2 -> {
            if (!next.isEmpty()) {
              next.set(at, new String(next.get(at))); // equal, not the same object
            }
          }
          default -> {
            if (!next.isEmpty()) {
              next.add(random.nextInt(next.size()), next.remove(at));
            }
          }
        }
      }
      // When
      ListPatch<String> patch = ListPatch.between(earlier, next);
      List<String> rebuilt = patch.applyTo(copyOf(earlier));
      // Then
      assertThat(rebuilt).as("round %d", round).isEqualTo(next);
      List<String> receiversEarlier = copyOf(earlier);
      List<String> onReceiver = patch.applyTo(receiversEarlier);
      for (int i = 0; i < next.size(); i++) {
        int inEarlier = indexOfSame(earlier, next.get(i));
        if (inEarlier >= 0) {
          assertThat(onReceiver.get(i)).isSameAs(receiversEarlier.get(inEarlier));
        } else {
          String item = next.get(i);
          assertThat(patch.pieces()).anySatisfy(piece -> assertThat(piece.item()).isSameAs(item));
        }
      }
    }
  }

  @Test
  void anUnchangedListIsOneRunAndOneChangedItemAmongManyIsThreePieces() {
    List<String> earlier = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      earlier.add("host-" + i + ".example.com");
    }
    List<String> next = new ArrayList<>(earlier);
    next.set(5_000, "renamed.example.com");

    assertThat(ListPatch.between(earlier, earlier).pieces()).containsExactly(new ListPatch.Piece<>(0, 10_000, null));
    assertThat(ListPatch.between(earlier, next).pieces()).containsExactly(new ListPatch.Piece<>(0, 5_000, null),
        new ListPatch.Piece<>(0, 0, "renamed.example.com"), new ListPatch.Piece<>(5_001, 4_999, null));
  }

  @Test
  void aRunBeyondTheListHeldIsRefusedNamingIt() {
    ListPatch<String> patch = new ListPatch<>(List.of(new ListPatch.Piece<>(2, 3, null)));

    assertThatThrownBy(() -> patch.applyTo(List.of("a", "b", "c", "d")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("run of 3 from 2 reaches beyond the 4 items held");
  }

  @Test
  void aPieceIsARunOrAnItemNeverBothNorNeither() {
    assertThatThrownBy(() -> new ListPatch.Piece<>(1, 2, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("with an item");
    assertThatThrownBy(() -> new ListPatch.Piece<String>(0, 0, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without an item");
    assertThatThrownBy(() -> new ListPatch.Piece<String>(-1, 2, null)).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> copyOf(List<String> list) {
    List<String> copy = new ArrayList<>();
    list.forEach(item -> copy.add(new String(item)));
    return copy;
  }

  private static int indexOfSame(List<String> list, String item) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == item) {
        return i;
      }
    }
    return -1;
  }
}
