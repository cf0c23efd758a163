package io.clbingress.dataplane.table;

/** Load-balancing algorithm of a cluster. */
public enum Scheduler {
  /** Weighted round robin (all weights equal for Service endpoints). */
  WRR,
  /** The endpoint with the fewest requests and tunnels in flight from this data plane. */
  LEAST_CONN,
  /** The same client address goes to the same endpoint while the endpoint set is unchanged. */
  IP_HASH
}
