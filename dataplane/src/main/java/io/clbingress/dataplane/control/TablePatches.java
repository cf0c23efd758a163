package io.clbingress.dataplane.control;

import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routing tables told as {@link ControlMessage.Patch}es against the table the data plane holds,
 * and rebuilt from them. A table rebuilt from {@code between(base, next)} and {@code base} equals
 * {@code next}, and holds {@code base}'s very objects wherever {@code next} did: the data plane's
 * compilation takes over what it compiled for them, as it does for an operator in the same process.
 */
public final class TablePatches {

  private TablePatches() {
  }

  /** @return {@code next} as a patch against {@code base}: its listeners' settings whole, its lists as {@link ListPatch}es */
  public static ControlMessage.Patch between(RoutingTable base, RoutingTable next) {
    Map<String, Listener> baseListeners = byName(base);
    List<ControlMessage.ListenerPatch> listeners = new ArrayList<>(next.listeners().size());
    for (Listener listener : next.listeners()) {
      Listener earlier = baseListeners.get(listener.name());
      listeners.add(new ControlMessage.ListenerPatch(listener.settingsOnly(),
          ListPatch.between(earlier == null ? List.of() : earlier.virtualHosts(), listener.virtualHosts())));
    }
    return new ControlMessage.Patch(base.version(), base.hash(), next.version(), next.hash(), listeners,
        ListPatch.between(base.clusters(), next.clusters()),
        ListPatch.between(base.certificates(), next.certificates()), next.defaultCertificate());
  }

  /**
   * @return the table {@code patch} tells, rebuilt on {@code base}
   * @throws IllegalArgumentException when {@code base} is not the table the patch was made against
   *     (version and hash), or the rebuilt table is not valid
   */
  public static RoutingTable apply(RoutingTable base, ControlMessage.Patch patch) {
    if (base.version() != patch.base() || !base.hash().equals(patch.baseHash())) {
      throw new IllegalArgumentException("the patch to version " + patch.version() + " is against version "
          + patch.base() + ", this data plane holds version " + base.version());
    }
    Map<String, Listener> baseListeners = byName(base);
    List<Listener> listeners = new ArrayList<>(patch.listeners().size());
    for (ControlMessage.ListenerPatch listener : patch.listeners()) {
      Listener earlier = baseListeners.get(listener.settings().name());
      List<VirtualHost> hosts = listener.virtualHosts().applyTo(earlier == null ? List.of() : earlier.virtualHosts());
      listeners.add(listener.settings().withVirtualHosts(hosts));
    }
    return new RoutingTable(patch.version(), patch.hash(), listeners, patch.clusters().applyTo(base.clusters()),
        patch.certificates().applyTo(base.certificates()), patch.defaultCertificate());
  }

  private static Map<String, Listener> byName(RoutingTable table) {
    Map<String, Listener> listeners = new HashMap<>();
    for (Listener listener : table.listeners()) {
      listeners.put(listener.name(), listener);
    }
    return listeners;
  }
}
