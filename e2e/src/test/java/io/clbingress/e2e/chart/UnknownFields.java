package io.clbingress.e2e.chart;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fields of a Kubernetes object that its Fabric8 model does not know: Fabric8 keeps them in each
 * model's {@code additionalProperties} instead of failing, so this walks the model and collects
 * them with their paths ("spec.template.spec.containers.bogus").
 */
final class UnknownFields {

  private UnknownFields() {
  }

  static List<String> of(Object object) {
    List<String> found = new ArrayList<>();
    walk(object, "", found, new IdentityHashMap<>());
    return found;
  }

  private static void walk(Object value, String path, List<String> found, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, true) != null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      items.forEach(item -> walk(item, path, found, seen));
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.values().forEach(item -> walk(item, path, found, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      String name = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      if (name.equals("additionalProperties") && child instanceof Map<?, ?> extra) {
        extra.keySet().forEach(key -> found.add(path + key));
      } else {
        walk(child, path + name + ".", found, seen);
      }
    }
  }
}
