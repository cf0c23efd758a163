package io.clbingress.dataplane.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ListenerTest {

  private static List<VirtualHost> hosts(String... names) {
    return Stream.of(names).map(name -> new VirtualHost(name, List.of())).toList();
  }

  private static Listener listener(List<VirtualHost> virtualHosts) {
    return new Listener("http", Protocol.HTTP, 80, virtualHosts, null);
  }

  @Test
  void hostsInOrderOrNotAreTakenWhenDistinct() {
    assertThat(listener(hosts("a.example.com", "b.example.com", "c.example.com")).virtualHosts()).hasSize(3);
    // out of order (the any-host entry after the named ones, as a default domain gives)
    assertThat(listener(hosts("b.example.com", "c.example.com", VirtualHost.ANY_HOST, "a.example.com")).virtualHosts())
        .hasSize(4);
    assertThat(listener(hosts()).virtualHosts()).isEmpty();
    assertThat(listener(hosts("only.example.com")).virtualHosts()).hasSize(1);
  }

  @Test
  void aHostListedTwiceIsRefusedWhereverItIs() {
    assertThatThrownBy(() -> listener(hosts("a.example.com", "b.example.com", "b.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("listener http: duplicate virtual host b.example.com");
    assertThatThrownBy(() -> listener(hosts("b.example.com", "c.example.com", "a.example.com", "c.example.com")))
        .hasMessage("listener http: duplicate virtual host c.example.com");
    assertThatThrownBy(() -> listener(hosts("x.example.com", "x.example.com")))
        .hasMessage("listener http: duplicate virtual host x.example.com");
  }
}
