package io.clbingress.dataplane.control;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.clbingress.dataplane.table.RoutingTable;

/**
 * What operator and data plane say to each other over the control channel: a WebSocket at
 * {@link #PATH} with {@code Authorization: Bearer <token>}, one JSON text message each. The
 * operator sends the whole routing table on connect and after every change; the data plane
 * answers each table with the version it applied, or why it rejected it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlMessage.Table.class, name = "table"),
    @JsonSubTypes.Type(value = ControlMessage.Applied.class, name = "applied"),
    @JsonSubTypes.Type(value = ControlMessage.Rejected.class, name = "rejected")
})
public sealed interface ControlMessage {

  String PATH = "/v1/routing-table";

  /** Operator to data plane: the routing table to serve. */
  record Table(RoutingTable table) implements ControlMessage {
  }

  /** Data plane to operator: this version is in force. */
  record Applied(long version) implements ControlMessage {
  }

  /** Data plane to operator: this version was not applied, and why; the previous one serves on. */
  record Rejected(long version, String reason) implements ControlMessage {
  }
}
