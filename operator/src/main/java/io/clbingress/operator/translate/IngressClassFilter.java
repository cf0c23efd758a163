package io.clbingress.operator.translate;

import io.clbingress.operator.state.ClusterState;
import io.clbingress.operator.state.IngressInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    // worked out once, not per Ingress: our class and the IngressClasses our controller implements
    Set<String> ourClasses = new HashSet<>();
    ourClasses.add(settings.ingressClass());
    state.ingressClasses().stream().filter(c -> Settings.CONTROLLER.equals(c.controller()))
        .forEach(c -> ourClasses.add(c.name()));
    List<IngressInfo> ours = new ArrayList<>(state.ingresses().size());
    for (IngressInfo ingress : state.ingresses()) {
      if (isOurs(ingress, ourClasses, settings, weAreDefault)) {
        ours.add(ingress);
      }
    }
    return ours;
  }

  private static boolean isOurs(IngressInfo ingress, Set<String> ourClasses, Settings settings, boolean weAreDefault) {
    String className = ingress.className();
    if (className != null) {
      return ourClasses.contains(className);
    }
    String legacy = ingress.annotations().get(LEGACY_CLASS_ANNOTATION);
    if (legacy != null) {
      return legacy.equals(settings.ingressClass());
    }
    return weAreDefault;
  }

}
