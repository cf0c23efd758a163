package io.clbingress.dataplane.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.clbingress.dataplane.table.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** IP_HASH's ring over 10,000 client addresses: balance, weights, and what an endpoint change moves. */
class HashRingTest {

  private static final int CLIENTS = 10_000;

  @Test
  void clientsSpreadEvenlyAndByWeight() {
    List<Endpoint> endpoints = List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80),
        new Endpoint("10.0.0.3", 80, 2));
    int[] counts = counts(new HashRing(endpoints));
    assertThat(counts[0] / (double) CLIENTS).isCloseTo(0.25, Offset.offset(0.05));
    assertThat(counts[1] / (double) CLIENTS).isCloseTo(0.25, Offset.offset(0.05));
    assertThat(counts[2] / (double) CLIENTS).isCloseTo(0.50, Offset.offset(0.05));
  }

  @Test
  void addingAFifthEndpointMovesAboutAFifthOfClientsAllToIt() {
    List<Endpoint> four = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      four.add(new Endpoint("10.0.0." + i, 80));
    }
    List<Endpoint> five = new ArrayList<>(four);
    five.add(2, new Endpoint("10.0.0.5", 80)); // not at the end: owners must not depend on order
    HashRing before = new HashRing(four);
    HashRing after = new HashRing(five);
    int moved = 0;
    for (int i = 0; i < CLIENTS; i++) {
      String client = client(i);
      Endpoint was = four.get(before.owner(client));
      Endpoint now = five.get(after.owner(client));
      if (!was.equals(now)) {
        moved++;
        assertThat(now).isEqualTo(new Endpoint("10.0.0.5", 80));
      }
    }
    assertThat(moved / (double) CLIENTS).isCloseTo(0.20, Offset.offset(0.05));
  }

  @Test
  void removingAnEndpointMovesOnlyItsClients() {
    List<Endpoint> three = List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80),
        new Endpoint("10.0.0.3", 80));
    List<Endpoint> two = List.of(three.get(0), three.get(2));
    HashRing before = new HashRing(three);
    HashRing after = new HashRing(two);
    for (int i = 0; i < CLIENTS; i++) {
      Endpoint was = three.get(before.owner(client(i)));
      if (!was.equals(three.get(1))) {
        assertThat(two.get(after.owner(client(i)))).isEqualTo(was);
      }
    }
  }

  private static int[] counts(HashRing ring) {
    int[] counts = new int[3];
    for (int i = 0; i < CLIENTS; i++) {
      counts[ring.owner(client(i))]++;
    }
    return counts;
  }

  private static String client(int i) {
    return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
  }
}
