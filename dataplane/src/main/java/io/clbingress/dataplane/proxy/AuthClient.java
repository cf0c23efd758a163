package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.table.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Checks a request of a route with authentication, for both engines; one per event loop: its basic
 * authentication ({@link BasicVerifier}), then its external service (ingress-nginx's
 * {@code auth-url}, nginx's {@code auth_request}). The service's request has
 * no body; it carries the client's end-to-end headers (cookies and {@code Authorization}
 * included) and, as ingress-nginx's auth location sets them, {@code Host} of the service's URL,
 * {@code X-Original-URL}, {@code X-Original-URI}, {@code X-Original-Method}, {@code X-Scheme},
 * {@code X-Auth-Request-Redirect}, {@code X-Sent-From}, {@code X-Real-IP} and
 * {@code X-Forwarded-For} (the client's address), and {@code X-Forwarded-Host} and
 * {@code X-Forwarded-Proto} of the client's request (client-sent ones are replaced).
 *
 * <p>The service has the route's connect timeout to accept the connection and its read timeout,
 * at most 60 s (ingress-nginx's default {@code proxy-read-timeout}, which its auth location
 * inherits), between bytes of the answer; its body is discarded. TLS to an {@code https} service
 * sends the host's name (SNI) and, as ingress-nginx's auth location ({@code proxy_ssl_verify off}),
 * does not verify the service's certificate. Failures are WARN lines naming the route.
 */
final class AuthClient {

  private static final Logger LOG = LogManager.getLogger(AuthClient.class);
  /** The longest wait between bytes of the service's answer. */
  static final long MAX_READ_MILLIS = 60_000;
  /** Connections kept per service host and event loop. */
  private static final int POOL_SIZE = 64;

  private final HttpClientAgent client;
  private final AuthAnswers answers;
  private final BasicVerifier basic;
  private final StaleConnections stale = new StaleConnections();

  /**
   * A check its client may give up on (the connection closed, the stream reset): once given up, a
   * request to the service under way is reset, and none is begun, so that abandoned checks do not
   * hold the service's connections until it answers (nginx closes the auth subrequest's upstream
   * when the client aborts).
   */
  static final class Abandon {
    private volatile boolean abandoned;
    private volatile HttpClientRequest request;

    /** The client left: the service's request, if any, is reset. */
    void abandon() {
      abandoned = true;
      HttpClientRequest sent = request;
      if (sent != null) {
        sent.reset();
      }
    }
  }

  AuthClient(Vertx vertx, AuthAnswers answers) {
    this.answers = answers;
    this.basic = new BasicVerifier(vertx);
    this.client = vertx.httpClientBuilder().with(new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(30)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setForceSni(true)
            .setTrustAll(true)
            .setVerifyHost(false))
        .with(new PoolOptions().setHttp1MaxSize(POOL_SIZE))
        .withConnectHandler(connection -> connection.exceptionHandler(e ->
            LOG.debug("auth service connection {}: {}", connection.remoteAddress(), e.toString())))
        .build();
  }

  /**
   * The verdict on a request of a route with authentication: its basic authentication first
   * ({@link BasicVerifier}), then its external service; either refusing is the verdict. Never
   * fails: a service that cannot be asked is a 500 verdict.
   *
   * @param method the client's method ({@code X-Original-Method})
   * @param clientHeaders the client's request headers, read during this call only
   * @param route what the failures' log lines name
   */
  Future<AuthVerdict> check(AuthCall call, String method, Iterable<Map.Entry<String, String>> clientHeaders,
      Timeouts timeouts, String route, Abandon abandon) {
    if (call.auth().basic() == null) {
      return external(call, method, clientHeaders, timeouts, route, abandon);
    }
    if (call.policy() != null) {
      // the service may need the client's headers after the password check: copied before it
      MultiMap copied = MultiMap.caseInsensitiveMultiMap();
      clientHeaders.forEach(header -> copied.add(header.getKey(), header.getValue()));
      clientHeaders = copied;
    }
    Iterable<Map.Entry<String, String>> headers = clientHeaders;
    return basic.verify(call.auth().users(), call.auth().basic().challenge(), call.credentials())
        .compose(verdict -> !verdict.allowed() || call.policy() == null ? Future.succeededFuture(verdict)
            : external(call, method, headers, timeouts, route, abandon)
                .map(external -> external.allowed() ? external.withoutAuthorization() : external));
  }

  /**
   * The external service's verdict: from the cache when the route keeps answers and has one for
   * the request's key, else from the service.
   */
  private Future<AuthVerdict> external(AuthCall call, String method, Iterable<Map.Entry<String, String>> clientHeaders,
      Timeouts timeouts, String route, Abandon abandon) {
    if (call.cacheKey() != null) {
      AuthAnswer cached = answers.get(call.cacheKey());
      if (cached != null) {
        return Future.succeededFuture(AuthVerdict.of(call, cached));
      }
    }
    RequestOptions options;
    try {
      options = new RequestOptions().setAbsoluteURI(call.url());
    } catch (RuntimeException e) {
      LOG.warn("{}: auth URL {} is not a URL: {}", route, call.url(), e.toString());
      return Future.succeededFuture(AuthVerdict.ERROR);
    }
    options.setMethod(HttpMethod.valueOf(call.policy().method()))
        .setConnectTimeout(timeouts.connectMillis())
        .setIdleTimeout(Math.min(timeouts.readMillis(), MAX_READ_MILLIS))
        .setHeaders(headers(call, method, clientHeaders));
    if (abandon.abandoned) {
      return Future.succeededFuture(AuthVerdict.ERROR); // the client left during the password check
    }
    return send(options, call.url(), abandon, false)
        .map(response -> answered(call, response))
        .otherwise(e -> {
          if (abandon.abandoned) {
            LOG.debug("{}: the client left before auth service {} answered", route, call.url());
            return AuthVerdict.ERROR;
          }
          LOG.warn("{}: auth service {} failed: {}", route, call.url(), e.toString());
          return AuthVerdict.ERROR;
        });
  }

  /**
   * Sends the check; one lost by a stale pooled connection (the service closed or reset it while it
   * was idle) is sent once more, on another connection ({@link StaleConnections}' rules).
   */
  private Future<HttpClientResponse> send(RequestOptions options, String url, Abandon abandon, boolean replay) {
    return client.request(options).compose(request -> {
      abandon.request = request;
      if (abandon.abandoned) {
        request.reset();
      }
      boolean reused = stale.reused(request.connection());
      return request.send().recover(e -> {
        if (replay || abandon.abandoned || !StaleConnections.replayable(options.getMethod().name(), reused, e)) {
          return Future.failedFuture(e);
        }
        LOG.debug("auth service {}: a reused connection lost the check ({}), sending it again", url, e.toString());
        return send(options, url, abandon, true);
      });
    });
  }

  private AuthVerdict answered(AuthCall call, HttpClientResponse response) {
    AuthAnswer answer = AuthAnswer.of(response.statusCode(), response.headers(), call.policy().responseHeaders());
    response.handler(body -> { }); // the body is not used; the connection goes back to the pool at its end
    response.exceptionHandler(e -> LOG.debug("auth service answer broke off: {}", e.toString()));
    if (call.cacheKey() != null) {
      answers.put(call.cacheKey(), answer, call.policy().cacheSeconds(answer.status()));
    }
    return AuthVerdict.of(call, answer);
  }

  private static MultiMap headers(AuthCall call, String method, Iterable<Map.Entry<String, String>> clientHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> header : clientHeaders) {
      // nginx drops header names with underscores (underscores_in_headers off): none reaches the
      // service, where X_Original_URI would read as the proxy's X-Original-URI
      if (ProxyHeaders.passesOn(header.getKey()) && header.getKey().indexOf('_') < 0) {
        ProxyHeaders.add(headers, header.getKey(), header.getValue());
      }
    }
    headers.set("X-Original-URL", call.originalUrl());
    headers.set("X-Original-URI", call.requestUri());
    headers.set("X-Original-Method", method);
    headers.set("X-Scheme", call.scheme());
    headers.set("X-Forwarded-Proto", call.scheme());
    if (call.host() != null) {
      headers.set("X-Forwarded-Host", call.host());
    }
    headers.set("X-Auth-Request-Redirect", call.requestRedirect());
    headers.set("X-Sent-From", "clb-ingress");
    if (call.clientIp() != null) {
      headers.set("X-Real-IP", call.clientIp());
      headers.set("X-Forwarded-For", call.clientIp());
    }
    return headers;
  }
}
