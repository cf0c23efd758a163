package io.clbingress.dataplane;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Once a test class's {@code @AfterAll} methods have run (they close its harnesses, backends and
 * clients), sets the class's static, non-final reference fields to {@code null}, so that what they
 * held — a closed {@link DataPlaneHarness}'s Vert.x instance with its event loops, about 1 MB of
 * heap per io_uring event loop — can be collected while the rest of the suite runs in the same JVM.
 * JUnit keeps every test class loaded until the JVM ends, and with it whatever its static fields
 * still reference.
 *
 * <p>Registered for every test class of this module through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} (JUnit 5 User Guide, "Automatic Extension
 * Registration"). JUnit calls {@code AfterAllCallback}s after the class's own {@code @AfterAll}
 * methods, so nothing is cleared before it is closed. Only the test class's own fields are cleared
 * (no test class here extends another; a shared superclass's fields could still be in use).
 */
public final class ReleaseStaticFields implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) throws IllegalAccessException {
    for (Field field : context.getRequiredTestClass().getDeclaredFields()) {
      int modifiers = field.getModifiers();
      if (Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers) && !field.getType().isPrimitive()
          && !field.isSynthetic()) {
        field.setAccessible(true);
        field.set(null, null);
      }
    }
  }
}
