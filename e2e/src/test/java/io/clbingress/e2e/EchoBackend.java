package io.clbingress.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend for the end-to-end tests: HTTP answers name it and the URI (and return the
 * {@code ssl-client-*} request headers as {@code seen-ssl-client-*}), WebSocket messages echo.
 * Every HTTP request any of them received is in {@link #REQUESTS}.
 */
final class EchoBackend {

  /** {@code name method target} of every HTTP request received, in order. */
  static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

  private EchoBackend() {
  }

  static HttpServer start(Vertx vertx, String name) {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(ws -> {
          ws.textMessageHandler(ws::writeTextMessage);
          ws.binaryMessageHandler(ws::writeBinaryMessage);
        })
        .requestHandler(request -> {
          REQUESTS.add(name + " " + request.method() + " " + request.uri());
          request.headers().forEach(header -> {
            if (header.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("ssl-client-")) {
              request.response().headers().add("seen-" + header.getKey(), header.getValue());
            }
          });
          request.response().end("backend=" + name + " uri=" + request.uri() + "\n");
        })
        .listen().await();
  }
}
