// An example backend for the quick start: HTTP requests are answered with a description of the
// request, WebSocket messages are echoed. Runs on the classpath of the built jar:
//   java -cp operator/target/clb-ingress.jar hack/EchoBackend.java [PORT]
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;

public class EchoBackend {
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .webSocketHandler(ws -> {
          ws.textMessageHandler(ws::writeTextMessage);
          ws.binaryMessageHandler(ws::writeBinaryMessage);
        })
        .requestHandler(request -> request.body().onSuccess(body -> {
          JsonObject headers = new JsonObject();
          request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
          JsonObject answer = new JsonObject()
              .put("backend", "echo:" + port)
              .put("method", request.method().name())
              .put("uri", request.uri())
              .put("headers", headers)
              .put("body", body.toString());
          request.response().putHeader("content-type", "application/json").end(answer.encodePrettily() + "\n");
        }))
        .listen()
        .onSuccess(server -> System.out.println("echo backend on 127.0.0.1:" + server.actualPort()))
        .onFailure(e -> {
          System.err.println("echo backend: " + e.getMessage());
          System.exit(1);
        });
  }
}
