package io.clbingress.operator.translate;

/** The outcome of reading one annotation: not set, a valid value, or why the value is wrong. */
public sealed interface AnnotationValue<T> {

  record Absent<T>() implements AnnotationValue<T> {
  }

  record Valid<T>(T value) implements AnnotationValue<T> {
  }

  /** @param key the annotation that was wrong (ours or the ingress-nginx one) */
  record Invalid<T>(String key, String reason) implements AnnotationValue<T> {
  }

  default T orElse(T fallback) {
    return this instanceof Valid<T> valid ? valid.value() : fallback;
  }
}
