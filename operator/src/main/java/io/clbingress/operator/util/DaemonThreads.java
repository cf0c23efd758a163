package io.clbingress.operator.util;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for the operator's background work (they must not keep the JVM alive). */
public final class DaemonThreads {

  private DaemonThreads() {
  }

  public static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
