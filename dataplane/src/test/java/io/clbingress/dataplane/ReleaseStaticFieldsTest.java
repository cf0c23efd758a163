package io.clbingress.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

class ReleaseStaticFieldsTest {

  /** A stand-in test class: what its static fields hold once it has run. */
  static final class Finished {
    static Object harness = new Object();
    static String name = "kept until cleared";
    static final Object constant = new Object();
    static int count = 3;
    Object instance = new Object();
  }

  @Test
  void clearsTheClassesOwnStaticReferencesAndLeavesConstantsAndPrimitives() throws Exception {
    Object constant = Finished.constant;
    new ReleaseStaticFields().afterAll(contextOf(Finished.class));

    assertNull(Finished.harness);
    assertNull(Finished.name);
    assertEquals(constant, Finished.constant);
    assertEquals(3, Finished.count);
    assertEquals(Object.class, new Finished().instance.getClass());
  }

  /** An {@link ExtensionContext} that answers only {@code getRequiredTestClass}. */
  private static ExtensionContext contextOf(Class<?> testClass) {
    return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
        new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> {
          if (method.getName().equals("getRequiredTestClass")) {
            return testClass;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
