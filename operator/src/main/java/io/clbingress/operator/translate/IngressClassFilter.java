package io.clbingress.operator.translate;

import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import java.util.List;

/**
 * Which Ingresses are ours: {@code spec.ingressClassName} naming our class (or an IngressClass
 * whose controller is ours), else the legacy {@code kubernetes.io/ingress.class} annotation, else
 * no class at all while an IngressClass of ours is marked the cluster default.
 */
final class IngressClassFilter {

  static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

  private IngressClassFilter() {
  }

  static List<IngressInfo> ours(ClusterState state, Settings settings) {
    boolean weAreDefault = state.ingressClasses().stream()
        .anyMatch(c -> c.isDefault() && Settings.CONTROLLER.equals(c.controller()));
    return state.ingresses().stream().filter(ingress -> isOurs(ingress, state, settings, weAreDefault)).toList();
  }

  private static boolean isOurs(IngressInfo ingress, ClusterState state, Settings settings, boolean weAreDefault) {
    String className = ingress.className();
    if (className != null) {
      return className.equals(settings.ingressClass()) || state.ingressClasses().stream()
          .anyMatch(c -> c.name().equals(className) && Settings.CONTROLLER.equals(c.controller()));
    }
    String legacy = ingress.annotations().get(LEGACY_CLASS_ANNOTATION);
    if (legacy != null) {
      return legacy.equals(settings.ingressClass());
    }
    return weAreDefault;
  }

}
