package io.clbingress.dataplane.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.clbingress.dataplane.table.Certificate;
import io.clbingress.dataplane.table.Cluster;
import io.clbingress.dataplane.table.Listener;
import io.clbingress.dataplane.table.RoutingTable;
import io.clbingress.dataplane.table.VirtualHost;
import java.util.List;
import java.util.Objects;

/**
 * What operator and data plane say to each other over the control channel: a WebSocket at
 * {@link #PATH} with {@code Authorization: Bearer <token>}, one JSON text message each. The
 * operator sends the whole routing table on connect, and after every change a {@link Patch}
 * against the last table it sent on that connection (the whole table again when the data plane
 * asks with {@link Resend}); the data plane answers each table with the version it applied, or
 * why it rejected it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlMessage.Table.class, name = "table"),
    @JsonSubTypes.Type(value = ControlMessage.Patch.class, name = "patch"),
    @JsonSubTypes.Type(value = ControlMessage.Applied.class, name = "applied"),
    @JsonSubTypes.Type(value = ControlMessage.Rejected.class, name = "rejected"),
    @JsonSubTypes.Type(value = ControlMessage.Resend.class, name = "resend")
})
public sealed interface ControlMessage {

  String PATH = "/v1/routing-table";

  /** Operator to data plane: the routing table to serve. */
  record Table(RoutingTable table) implements ControlMessage {
  }

  /**
   * Operator to data plane: the table {@code version} told against the table {@code base} that the
   * data plane holds ({@link TablePatches}): each listener's settings whole, and its virtual hosts,
   * the clusters and the certificates as runs of the base table's items kept and the rest whole.
   * A change of one Ingress among 10,000 is a few kilobytes, where the whole table is megabytes.
   *
   * @param base the version of the table the patch is against
   * @param baseHash that table's content hash: versions start again at 1 when the operator restarts
   * @param version the version of the table told
   * @param hash its content hash
   * @param listeners every listener of the table, in order
   * @param defaultCertificate as {@link RoutingTable#defaultCertificate()}
   */
  record Patch(long base, String baseHash, long version, String hash, List<ListenerPatch> listeners,
      ListPatch<Cluster> clusters, ListPatch<Certificate> certificates,
      @JsonInclude(JsonInclude.Include.NON_NULL) String defaultCertificate) implements ControlMessage {

    public Patch {
      listeners = List.copyOf(listeners);
      Objects.requireNonNull(baseHash, "baseHash");
      Objects.requireNonNull(hash, "hash");
      Objects.requireNonNull(clusters, "clusters");
      Objects.requireNonNull(certificates, "certificates");
    }
  }

  /**
   * One listener of a {@link Patch}: its settings, and its virtual hosts against the base table's
   * listener of the same name (against none when the base has no such listener).
   *
   * @param settings the listener without its virtual hosts ({@link Listener#settingsOnly()})
   */
  record ListenerPatch(Listener settings, ListPatch<VirtualHost> virtualHosts) {

    public ListenerPatch {
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(virtualHosts, "virtualHosts");
    }
  }

  /** Data plane to operator: this version is in force. */
  record Applied(long version) implements ControlMessage {
  }

  /** Data plane to operator: this version was not applied, and why; the previous one serves on. */
  record Rejected(long version, String reason) implements ControlMessage {
  }

  /**
   * Data plane to operator: the {@link Patch} to this version could not be rebuilt on the table
   * the data plane holds, and why; the operator sends the whole table in force (once for all
   * patches sent before it). The previous table serves on meanwhile.
   */
  record Resend(long version, String reason) implements ControlMessage {
  }
}
