package io.clbingress.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** A backend for the end-to-end tests: HTTP answers name it and the URI, WebSocket messages echo. */
final class EchoBackend {

  private EchoBackend() {
  }

  static HttpServer start(Vertx vertx, String name) {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(ws -> {
          ws.textMessageHandler(ws::writeTextMessage);
          ws.binaryMessageHandler(ws::writeBinaryMessage);
        })
        .requestHandler(request -> request.response().end("backend=" + name + " uri=" + request.uri() + "\n"))
        .listen().await();
  }
}
