package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.routing.ListenerRouter;
import io.clbingress.dataplane.routing.Router;
import io.clbingress.dataplane.table.Protocol;

/** Which listener of the router in force a server serves: the default one, or the one on its port. */
@FunctionalInterface
public interface ListenerSelector {

  ListenerRouter select(Router router);

  static ListenerSelector defaultListener(Protocol protocol) {
    return router -> router.defaultListener(protocol);
  }

  static ListenerSelector onPort(int port) {
    return router -> router.listenerOnPort(port);
  }
}
