package io.clbingress.dataplane.table;

import java.util.Objects;

/** One backend address. */
public record Endpoint(String address, int port) {

  public Endpoint {
    Objects.requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint " + address + ": port out of range: " + port);
    }
  }

  @Override
  public String toString() {
    return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
  }
}
