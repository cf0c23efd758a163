package io.clbingress.dataplane.proxy;

import io.clbingress.dataplane.accesslog.AccessRecord;
import io.clbingress.dataplane.metrics.ProxyMetrics;
import io.clbingress.dataplane.routing.CompiledRoute;
import io.clbingress.dataplane.routing.ErrorPageRoute;
import io.clbingress.dataplane.table.Endpoint;
import io.clbingress.dataplane.table.Timeouts;
import io.clbingress.dataplane.upstream.EndpointPicker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Forwards one plain HTTP request to an endpoint of its route's cluster through a pooled
 * connection, with the route's connect and read timeouts, and streams the answer back.
 * A failed try is passed on to the next endpoint as the route's {@link io.clbingress.dataplane.table.Retry}
 * allows ({@link NextUpstream}; by default a failed connect, once); then 502 (504 for a timeout), or
 * the last answer relayed. A bodiless idempotent request
 * lost by a stale pooled connection is sent once more on a new one ({@link StaleConnections}).
 * No answer within the read timeout, or no request data taken within the send timeout: 504.
 */
final class HttpForwarder {

  private static final Logger LOG = LogManager.getLogger(HttpForwarder.class);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final StaleConnections stale = new StaleConnections();
  private final StickySessions sessions;
  private final ProxyMetrics metrics;
  /** Client request headers with {@code _} in their names go on ({@code --enable-underscores-in-headers}). */
  private final boolean underscores;

  HttpForwarder(Vertx vertx, HttpClientAgent client, StickySessions sessions, ProxyMetrics metrics,
      boolean underscores) {
    this.vertx = vertx;
    this.underscores = underscores;
    this.client = client;
    this.sessions = sessions;
    this.metrics = metrics;
  }

  /**
   * @param uri the request target to send: the normalised (and, for a route that rewrites, rewritten)
   *     path and the query
   * @param from the client ({@link RealIp}), found once for the request
   * @param balanceKey what the cluster hashes instead of the client's address, or null
   * @param gzip the listener's compression and whether this client takes it; null when it compresses nothing
   * @param access the request's access log facts, told of the upstream's address and times; null when the log is off
   */
  void forward(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, AccessRecord access, CompiledRoute route, String uri, String balanceKey) {
    request.pause();
    int first = sessions.choose(request, from.ip(), route, balanceKey);
    tryEndpoint(request, from, gzip, access, route, uri, new NextUpstream(route.retry(), route.cluster().picker(), first, System.nanoTime()),
        first);
  }

  /** One try of the request, from a connect to {@code index} on; a failed connect goes on as {@code tries} allows. */
  private void tryEndpoint(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, AccessRecord access, CompiledRoute route, String uri, NextUpstream tries, int index) {
    EndpointPicker picker = route.cluster().picker();
    EndpointConnector.connect(tries, picker, index, i -> {
          if (access != null) {
            access.upstreamConnecting(picker.endpoint(i).toString());
          }
          return client.request(options(request, uri, route, picker.endpoint(i)));
        }, () -> !request.response().closed(), (failed, cause, retrying) -> {
          metrics.upstreamError(route.route().source(), "connect");
          if (retrying) {
            LOG.debug("{} connect to {} failed, trying the next endpoint: {}", route.key(), picker.endpoint(failed), cause.toString());
          } else {
            LOG.warn("{} cannot connect to {}: {}", route.route().source(), picker.endpoint(failed), cause.toString());
          }
        })
        .onSuccess(connected -> send(request, from, gzip, access, connected.connection(), route, uri, connected.index(), null, tries))
        .onFailure(e -> answerFailure(request, from, gzip, route, 502, false));
  }

  private static RequestOptions options(HttpServerRequest request, String uri, CompiledRoute route, Endpoint endpoint) {
    Timeouts timeouts = route.timeouts();
    return new RequestOptions()
        .setMethod(request.method())
        .setHost(endpoint.address())
        .setPort(endpoint.port())
        .setURI(uri)
        .setSsl(route.cluster().isTls())
        .setConnectTimeout(timeouts.connectMillis())
        .setIdleTimeout(timeouts.readMillis());
  }

  /**
   * Replays a request that a stale pooled connection lost ({@link StaleConnections}), once, on a
   * connection of its own to the same endpoint, closed when the exchange ends.
   */
  private void replay(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, AccessRecord access, CompiledRoute route, String uri, int index, NextUpstream tries) {
    Endpoint endpoint = route.cluster().picker().endpoint(index);
    onFreshConnection(route, endpoint, options(request, uri, route, endpoint))
        .onSuccess(fresh -> send(request, from, gzip, access, fresh.request(), route, uri, index, fresh.connection(), tries))
        .onFailure(e -> {
          metrics.upstreamError(route.route().source(), "connect");
          LOG.warn("{} cannot connect to {}: {}", route.route().source(), endpoint, e.toString());
          Responses.send(request, 502, "Bad Gateway");
        });
  }

  /** A request on a connection of its own, for a replay ({@link #onFreshConnection}). */
  private record Fresh(HttpClientConnection connection, HttpClientRequest request) {
  }

  /**
   * A request made on a new connection to {@code endpoint} rather than a pooled one (the replay of
   * a request a stale pooled connection lost); the connection is closed when the request cannot be
   * made, else by the caller when the exchange ends.
   */
  private Future<Fresh> onFreshConnection(CompiledRoute route, Endpoint endpoint, RequestOptions options) {
    return client.connect(new HttpConnectOptions().setHost(endpoint.address()).setPort(endpoint.port())
            .setSsl(route.cluster().isTls()).setConnectTimeout(route.timeouts().connectMillis()))
        .compose(connection -> connection.request(options)
            .onFailure(e -> connection.close())
            .map(request -> new Fresh(connection, request)));
  }

  /**
   * @param fresh null for a request on a pooled connection (replayed once if that connection
   *     proves stale); else the connection of a replay, closed when the exchange ends
   * @param tries the request's tries, which decide whether a failure goes on to another endpoint
   */
  private void send(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, AccessRecord access, HttpClientRequest upstream, CompiledRoute route, String uri, int index,
      HttpClientConnection fresh, NextUpstream tries) {
    Runnable release = fresh == null ? () -> { } : fresh::close;
    if (request.response().closed()) {
      // The client left while the backend connection was being made: its close handlers have
      // run already, so nothing would ever end this exchange but the backend's idle timeout.
      upstream.exceptionHandler(e -> { }); // the reset's own failure: nothing to report
      upstream.reset();
      release.run();
      return;
    }
    boolean reused = fresh == null && stale.reused(upstream.connection());
    if (access != null) {
      access.upstreamConnected();
    }
    EndpointPicker picker = route.cluster().picker();
    picker.started(index);
    // Failures reach the response future below; this only keeps Vert.x from logging them again.
    upstream.exceptionHandler(e -> LOG.debug("{} request to {}: {}", route.key(), picker.endpoint(index), e.toString()));
    ProxyHeaders.copyRequest(request, from, upstream.headers(), false, route, underscores);
    ExpectContinue.removeFrom(upstream.headers());
    // The client's side of this exchange going away resets the backend's: per response, since the
    // connection's one close handler belongs to its ConnectionGuard (and HTTP/2 carries many exchanges).
    request.response().closeHandler(closed -> upstream.reset(0, RequestBodyPump.ClientLeftException.INSTANCE));
    Future<HttpClientResponse> answered;
    boolean bodiless = !hasBody(request);
    boolean invited = false;
    if (bodiless) {
      if (!request.isEnded()) {
        request.resume(); // (a request sent again to another endpoint has ended: nothing to resume)
      }
      answered = upstream.send();
    } else {
      answered = upstream.response();
      invited = ExpectContinue.invite(request, upstream);
      RequestBodyPump.pump(vertx, request, upstream, route.timeouts().sendMillis(), route.maxBodyBytes());
    }
    boolean continued = invited;
    answered.onComplete(result -> {
      if (access != null && result.succeeded()) {
        access.upstreamHeader();
      }
      if (result.failed()) {
        picker.finished(index);
        release.run();
        Throwable cause = result.cause();
        if (request.response().closed() || RequestBodyPump.ClientLeftException.causeOf(cause)) {
          // The client left (closed its connection, or reset its HTTP/2 stream) and the backend
          // request was reset for it: no failure of the backend's, so no health verdict, no
          // upstream error and no answer. Rapid reset makes thousands of these.
          LOG.debug("{} {} {}: the client left before {} answered", route.key(), request.method(), request.uri(),
              picker.endpoint(index));
          return;
        }
        if (StaleConnections.replayable(request, reused, bodiless, cause)) {
          LOG.debug("{} {} {}: reused connection to {} lost it ({}), sending it again on a new one", route.key(),
              request.method(), request.uri(), picker.endpoint(index), cause.toString());
          replay(request, from, gzip, access, route, uri, index, tries);
          return;
        }
        int next = tries.next(index, NextUpstream.ofAnswer(cause), 0, !bodiless, request.method().name());
        if (next >= 0) {
          picker.failed(index);
          LOG.debug("{} {} {} on {} failed ({}), passed on to {}", route.key(), request.method(), request.uri(),
              picker.endpoint(index), cause.toString(), picker.endpoint(next));
          passOn(request, from, gzip, access, route, uri, tries, next);
          return;
        }
        failed(request, from, gzip, route, index, cause, continued);
        return;
      }
      if (result.result().statusCode() == 101) {
        // Switching protocols on a request that asked for no upgrade (upgrades go through
        // WebSocketProxy): the backend is broken; its connection is not reused.
        picker.finished(index);
        picker.failed(index);
        LOG.warn("{}: {} {} to {} answered 101 without an upgrade asked: 502", route.route().source(),
            request.method(), request.uri(), picker.endpoint(index));
        upstream.connection().close();
        answerFailure(request, from, gzip, route, 502, false);
        return;
      }
      int status = result.result().statusCode();
      if (status >= 500) {
        picker.failed(index);
      } else {
        picker.succeeded(index);
      }
      int next = status >= 400 && route.retry().onStatus(status) ? tries.next(index, NextUpstream.Failure.STATUS, status,
          !bodiless, request.method().name()) : -1;
      if (next >= 0) {
        picker.finished(index);
        result.result().exceptionHandler(e -> { }); // the reset below: nothing to report
        upstream.reset();
        release.run();
        LOG.debug("{} {} {}: {} answered {}, passed on to {}", route.key(), request.method(), request.uri(),
            picker.endpoint(index), status, picker.endpoint(next));
        passOn(request, from, gzip, access, route, uri, tries, next);
        return;
      }
      if (route.replacedByPage(status)) {
        picker.finished(index);
        result.result().exceptionHandler(e -> { }); // the reset below: nothing to report
        upstream.reset();
        release.run();
        LOG.debug("{} {} {}: {} answered {}, replaced by the error backend's page", route.key(), request.method(),
            request.uri(), picker.endpoint(index), status);
        fetchErrorPage(request, from, gzip, route.errorPages(), status);
        return;
      }
      relay(request, result.result(), route, picker.endpoint(index), gzip).onComplete(done -> {
        picker.finished(index);
        release.run();
      });
    });
  }

  /** Sends the request to endpoint {@code next} after a failed try; a sticky route's client gets a session there. */
  private void passOn(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, AccessRecord access, CompiledRoute route, String uri, NextUpstream tries, int next) {
    if (route.route().sessionTtlSeconds() != null) {
      request.response().headers().set("set-cookie", sessions.newSession(route, next, request.isSSL()));
    }
    tryEndpoint(request, from, gzip, access, route, uri, tries, next);
  }

  /**
   * Relays the error backend's page for {@code status} ({@link ErrorPageRequest}), the route's
   * backend's answer having been dropped; the proxy's own answer with {@code status} when the error
   * backend cannot answer (no endpoint, failed connect, timeout, reset).
   */
  private void fetchErrorPage(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, ErrorPageRoute pages, int status) {
    CompiledRoute fetch = pages.route();
    if (!fetch.cluster().hasEndpoints()) {
      Responses.send(request, status, reason(status));
      return;
    }
    EndpointPicker picker = fetch.cluster().picker();
    EndpointConnector.connect(fetch, picker.pick(from.ip()), i -> client.request(
            options(request, ErrorPageRequest.PATH, fetch, picker.endpoint(i))
                .setMethod(ErrorPageRequest.head(request.method().name()) ? HttpMethod.HEAD : HttpMethod.GET)),
            () -> !request.response().closed(), (failed, cause, retrying) -> {
              metrics.upstreamError(fetch.route().source(), "connect");
              LOG.debug("{} error page from {}: {}", fetch.key(), picker.endpoint(failed), cause.toString());
            })
        .onSuccess(connected -> sendForPage(request, from, gzip, pages, status, connected.connection(), connected.index(), null))
        .onFailure(failure -> pageFailed(request, fetch, status, failure));
  }

  /**
   * Sends the error page's request and relays its answer; a request lost by a stale pooled
   * connection is sent once more on a new one, as {@link #send} does.
   */
  private void sendForPage(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, ErrorPageRoute pages, int status, HttpClientRequest page,
      int index, HttpClientConnection fresh) {
    CompiledRoute fetch = pages.route();
    EndpointPicker picker = fetch.cluster().picker();
    boolean replayed = fresh != null;
    Runnable release = replayed ? fresh::close : () -> { };
    boolean reused = !replayed && stale.reused(page.connection());
    picker.started(index);
    ProxyHeaders.copyRequest(request, from, page.headers(), false, fetch, underscores);
    page.headers().remove(HttpHeaders.CONTENT_LENGTH).remove(HttpHeaders.TRANSFER_ENCODING);
    ExpectContinue.removeFrom(page.headers());
    ErrorPageRequest.applyTo(page.headers()::set, pages, status, request.getHeader(HttpHeaders.ACCEPT), request.uri());
    request.response().closeHandler(closed -> page.reset());
    page.send().onComplete(answer -> {
      if (answer.failed()) {
        picker.finished(index);
        release.run();
        if (!replayed && StaleConnections.replayable(request, reused, true, answer.cause())) {
          Endpoint endpoint = picker.endpoint(index);
          onFreshConnection(fetch, endpoint, options(request, ErrorPageRequest.PATH, fetch, endpoint)
                  .setMethod(page.getMethod()))
              .onSuccess(again -> sendForPage(request, from, gzip, pages, status, again.request(), index, again.connection()))
              .onFailure(failure -> pageFailed(request, fetch, status, failure));
          return;
        }
        picker.failed(index);
        pageFailed(request, fetch, status, answer.cause());
        return;
      }
      if (answer.result().statusCode() == 101) {
        // no page, and a broken error backend: its connection is not reused
        picker.finished(index);
        picker.failed(index);
        answer.result().exceptionHandler(e -> { }); // the close below: nothing to report
        page.connection().close();
        release.run();
        pageFailed(request, fetch, status, new IllegalStateException("101 without an upgrade asked"));
        return;
      }
      if (answer.result().statusCode() >= 500) {
        picker.failed(index);
      } else {
        picker.succeeded(index);
      }
      relay(request, answer.result(), fetch, picker.endpoint(index), gzip).onComplete(done -> {
        picker.finished(index);
        release.run();
      });
    });
  }

  /** The error backend gave no page: the proxy's own answer with the replaced status. */
  private void pageFailed(HttpServerRequest request, CompiledRoute fetch, int status, Throwable failure) {
    metrics.upstreamError(fetch.route().source(), Responses.isTimeout(failure) ? "timeout" : "reset");
    LOG.warn("{}: no error page for {} {} ({}): {}", fetch.route().source(), request.method(), request.uri(),
        failure.toString(), status);
    if (!request.response().closed() && !request.response().headWritten()) {
      Responses.send(request, status, reason(status));
    }
  }

  private static String reason(int status) {
    return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
  }

  /** No answer came: 413 for a body over the limit, 504 for a timeout, else 502. */
  private void failed(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, CompiledRoute route, int index, Throwable cause, boolean continued) {
    EndpointPicker picker = route.cluster().picker();
    picker.failed(index);
    if (cause instanceof RequestBodyPump.BodyTooLargeException
        || cause.getCause() instanceof RequestBodyPump.BodyTooLargeException) {
      Responses.tooLarge(request);
      return;
    }
    boolean timedOut = Responses.isTimeout(cause) || Responses.isTimeout(cause.getCause());
    metrics.upstreamError(route.route().source(), timedOut ? "timeout" : "reset");
    int status = timedOut ? 504 : 502;
    // One line per failed exchange, as nginx's "upstream prematurely closed connection" error:
    // the route's object, the endpoint, what happened and what the client got.
    LOG.warn("{}: {} {} to {} failed ({}): {}", route.route().source(), request.method(), request.uri(),
        picker.endpoint(index), cause.toString(), status);
    answerFailure(request, from, gzip, route, status, continued);
  }

  /**
   * The proxy's own answer to a request no backend answered: the route's error page when it
   * replaces {@code status} (as nginx's {@code error_page} replaces the 502 and 504 nginx makes
   * itself) and the client sends no body after a 100 Continue; else {@code status}.
   */
  private void answerFailure(HttpServerRequest request, RealIp.Client from, GzipRequest gzip, CompiledRoute route, int status, boolean continued) {
    if (!continued && route.replacedByPage(status)) {
      fetchErrorPage(request, from, gzip, route.errorPages(), status);
    } else if (continued) {
      Responses.sendAfterContinue(request, status, reason(status));
    } else {
      Responses.send(request, status, reason(status));
    }
  }

  private static Future<Void> relay(HttpServerRequest request, HttpClientResponse upstream, CompiledRoute route,
      Endpoint endpoint, GzipRequest gzip) {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      upstream.request().reset();
      return Future.succeededFuture();
    }
    response.setStatusCode(upstream.statusCode());
    response.setStatusMessage(upstream.statusMessage());
    ProxyHeaders.copyEndToEnd(upstream.headers(), response.headers(), false);
    ContentEncoder encoder = gzip == null ? null : gzip.answer(request.method() == HttpMethod.HEAD, upstream.statusCode(),
        response.headers()::getAll, response.headers()::set, response.headers()::remove);
    if (mayHaveBody(request, upstream) && !response.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && request.version() != HttpVersion.HTTP_1_0) {
      response.setChunked(true);
    }
    ClientWrites client = new ClientWrites(response);
    Future<Void> piped = upstream.pipe().endOnFailure(false).to(encoder == null ? client : new GzipWrites(client, encoder));
    if (encoder != null) {
      piped = piped.andThen(done -> encoder.close()); // also when either side broke off mid-answer
    }
    return piped.recover(failure -> {
      // The backend broke off mid-answer (read timeout, reset): the client must not take a
      // truncated body for a whole one, so its connection is reset rather than ended. A write
      // to a client that has gone (closed, reset) fails before its close is seen: it left, too.
      if (response.closed() || client.failed()) {
        LOG.debug("{}: client left during the answer of {} {} from {}", route.route().source(), request.method(),
            request.uri(), endpoint);
      } else {
        LOG.warn("{}: answer to {} {} from {} broke off ({}): the client's connection is reset",
            route.route().source(), request.method(), request.uri(), endpoint, failure.toString());
      }
      response.reset();
      return Future.failedFuture(failure);
    });
  }

  private static final java.util.Set<HttpMethod> BODILESS_METHODS = java.util.Set.of(HttpMethod.GET, HttpMethod.HEAD,
      HttpMethod.OPTIONS, HttpMethod.DELETE, HttpMethod.TRACE);

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (request.version() == HttpVersion.HTTP_2) {
      // A paused HTTP/2 request may not have seen its END_STREAM yet: without a length, a GET-like
      // method is taken as bodiless rather than sent on as an empty chunked body.
      boolean bodiless = length == null && BODILESS_METHODS.contains(request.method());
      return !bodiless && (length == null ? !request.isEnded() : !length.equals("0"));
    }
    return (length != null && !length.equals("0")) || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private static boolean mayHaveBody(HttpServerRequest request, HttpClientResponse upstream) {
    int status = upstream.statusCode();
    return request.method() != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
  }
}
