package io.clbingress.dataplane.table;

/** What a listener speaks to clients. */
public enum Protocol {
  HTTP, HTTPS, TCP, TCP_SSL
}
