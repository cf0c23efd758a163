package io.clbingress.dataplane.tracing;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A request's headers as the proxy sends them on: whichever engine read the request (a Netty
 * {@code HttpHeaders}, a Vert.x {@code MultiMap}), edited in place before they go to the backend.
 * Names are case-insensitive.
 */
public interface TraceHeaders {

  /** The header's first value, or null. */
  String get(String name);

  /** Sets the header to this one value. */
  void set(String name, String value);

  /** Removes every value of the header. */
  void remove(String name);

  /** Headers read and edited through these three. */
  static TraceHeaders of(Function<String, String> get, BiConsumer<String, String> set, Consumer<String> remove) {
    return new TraceHeaders() {
      @Override
      public String get(String name) {
        return get.apply(name);
      }

      @Override
      public void set(String name, String value) {
        set.accept(name, value);
      }

      @Override
      public void remove(String name) {
        remove.accept(name);
      }
    };
  }
}
