package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A version of HAProxy's PROXY protocol (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt):
 * {@code v1} is a text line ({@code PROXY TCP4 192.0.2.1 198.51.100.2 51000 443\r\n}), {@code v2}
 * a binary block with a 12-byte signature. HAProxy's {@code send-proxy} and {@code send-proxy-v2}.
 */
public enum ProxyProtocolVersion {
  @JsonProperty("v1") V1,
  @JsonProperty("v2") V2
}
