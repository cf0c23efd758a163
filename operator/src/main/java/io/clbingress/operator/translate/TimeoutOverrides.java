package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.Timeouts;

/**
 * Timeouts (seconds) that one layer of configuration sets; null where it sets none. Layers
 * resolve in SPEC §7's order: CLBListener rule, Ingress annotation, CLBListener defaults, then
 * the controller's flags.
 */
record TimeoutOverrides(Long read, Long send, Long connect) {

  static final TimeoutOverrides NONE = new TimeoutOverrides(null, null, null);

  /** The first value each layer sets, most specific first, else {@code base}. */
  static Timeouts resolve(Timeouts base, TimeoutOverrides... layers) {
    long read = base.readMillis();
    long send = base.sendMillis();
    long connect = base.connectMillis();
    for (int i = layers.length - 1; i >= 0; i--) {
      TimeoutOverrides layer = layers[i];
      read = layer.read != null ? layer.read * 1000 : read;
      send = layer.send != null ? layer.send * 1000 : send;
      connect = layer.connect != null ? layer.connect * 1000 : connect;
    }
    return new Timeouts(read, send, connect);
  }
}
