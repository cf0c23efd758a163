package io.clbingress.dataplane.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clbingress.dataplane.AppliedTable;
import io.clbingress.dataplane.DataPlane;
import io.clbingress.dataplane.codec.TableCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/** Liveness, readiness and the routing table in force (SPEC §4). */
public final class AdminServer {

  private final Vertx vertx;
  private final DataPlane dataPlane;
  private HttpServer server;

  public AdminServer(Vertx vertx, DataPlane dataPlane) {
    this.vertx = vertx;
    this.dataPlane = dataPlane;
  }

  public Future<Void> listen(String host, int port) {
    server = vertx.createHttpServer();
    return server.requestHandler(this::handle).listen(port, host).mapEmpty();
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/healthz" -> text(request, 200, "ok");
      case "/readyz" -> {
        if (dataPlane.isReady()) {
          text(request, 200, "ready");
        } else {
          text(request, 503, "no routing table applied yet");
        }
      }
      case "/config" -> config(request);
      case "/metrics" -> request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(dataPlane.metrics().scrape());
      default -> text(request, 404, "not found; try /healthz, /readyz, /config or /metrics");
    }
  }

  private void config(HttpServerRequest request) {
    AppliedTable applied = dataPlane.applied();
    if (applied == null) {
      text(request, 503, "no routing table applied yet");
      return;
    }
    ObjectNode json = TableCodec.mapper().valueToTree(applied.table());
    json.put("appliedAt", applied.appliedAt().toString());
    // Private keys never leave through the admin port.
    json.withArray("certificates").forEach(certificate -> ((ObjectNode) certificate).remove("privateKeyPem"));
    request.response()
        .putHeader("content-type", "application/json")
        .end(json.toPrettyString());
  }

  private static void text(HttpServerRequest request, int status, String body) {
    request.response().setStatusCode(status).putHeader("content-type", "text/plain").end(body + "\n");
  }
}
