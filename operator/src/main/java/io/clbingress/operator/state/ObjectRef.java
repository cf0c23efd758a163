package io.clbingress.operator.state;

import java.util.Objects;

/** Names a Kubernetes object in messages, Events and problem lists: {@code Ingress apps/chat}. */
public record ObjectRef(String kind, String namespace, String name) implements Comparable<ObjectRef> {

  public ObjectRef {
    Objects.requireNonNull(kind, "kind");
    namespace = Objects.requireNonNullElse(namespace, "");
    Objects.requireNonNull(name, "name");
  }

  public String namespacedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(ObjectRef other) {
    int byKind = kind.compareTo(other.kind);
    if (byKind != 0) {
      return byKind;
    }
    int byNamespace = namespace.compareTo(other.namespace);
    return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return kind + " " + namespacedName();
  }
}
