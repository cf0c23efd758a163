package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.ClientCounts;
import io.clbingress.dataplane.table.TunnelLimits;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The counts behind {@link TunnelLimits}, for the whole data plane: tunnels open or opening per
 * source, and per source and client address. A count is taken when an upgrade starts and given
 * back once, when the upgrade fails or the tunnel closes; an entry that reaches zero is removed, so
 * the maps hold only sources and clients that have a tunnel now.
 */
final class TunnelCaps {

  /** No bound on keys here: the entries are at most the open tunnels, which the caps bound. */
  private final ClientCounts perSource = new ClientCounts(Integer.MAX_VALUE);
  private final ClientCounts perClient = new ClientCounts(Integer.MAX_VALUE);

  /** A tunnel's place in the counts; {@link #release} gives it back, once. */
  static final class Slot {
    private final TunnelCaps caps;
    private final String source;
    private final String client;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(TunnelCaps caps, String source, String client) {
      this.caps = caps;
      this.source = source;
      this.client = client;
    }

    void release() {
      if (caps != null && released.compareAndSet(false, true)) {
        caps.giveBack(source, client);
      }
    }
  }

  /** A slot that counts nothing, for a route without caps. */
  static final Slot NONE = new Slot(null, null, null);

  /**
   * A slot for one more tunnel of {@code source} from {@code clientAddress}, or null when a cap of
   * {@code limits} is reached (nothing is taken then).
   */
  Slot reserve(String source, String clientAddress, TunnelLimits limits) {
    String client = source + " " + clientAddress;
    if (!perSource.take(source, limits.maxTunnels())) {
      return null;
    }
    if (!perClient.take(client, limits.maxTunnelsPerClient())) {
      perSource.giveBack(source);
      return null;
    }
    return new Slot(this, source, client);
  }

  private void giveBack(String source, String client) {
    perSource.giveBack(source);
    perClient.giveBack(client);
  }

  /** Sources and source-client pairs counted now (for tests: zero once every tunnel closed). */
  int entries() {
    return perSource.size() + perClient.size();
  }
}
