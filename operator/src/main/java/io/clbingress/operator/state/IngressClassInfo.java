package io.clbingress.operator.state;

/** An IngressClass: its name, {@code spec.controller}, and whether it is the cluster default. */
public record IngressClassInfo(String name, String controller, boolean isDefault) {
}
