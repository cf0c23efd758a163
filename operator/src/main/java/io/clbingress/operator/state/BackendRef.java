package io.clbingress.operator.state;

/**
 * An Ingress backend. Exactly one of {@code portNumber} and {@code portName} is set for a Service
 * backend; {@code service} is null for a resource backend, which this controller does not serve.
 */
public record BackendRef(String service, Integer portNumber, String portName) {

  public boolean isService() {
    return service != null;
  }

  /** The port as a user wrote it: {@code 80} or {@code http}. */
  public String portText() {
    return portNumber != null ? portNumber.toString() : String.valueOf(portName);
  }
}
