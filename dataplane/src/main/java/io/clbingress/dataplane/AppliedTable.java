package io.clbingress.dataplane;

import io.clbingress.dataplane.table.RoutingTable;
import java.time.Instant;

/** The routing table in force and when it was applied. */
public record AppliedTable(RoutingTable table, Instant appliedAt) {
}
