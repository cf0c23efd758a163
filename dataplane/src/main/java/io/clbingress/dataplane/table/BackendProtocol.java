package io.clbingress.dataplane.table;

/** What the data plane speaks to a cluster's endpoints. */
public enum BackendProtocol {
  HTTP, HTTPS
}
