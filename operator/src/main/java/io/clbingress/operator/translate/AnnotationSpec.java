package io.clbingress.operator.translate;

import java.util.List;

/**
 * One supported Ingress annotation: its name after the {@code clb.ingress.io/} prefix, what values
 * it takes, and the ingress-nginx annotations honoured as the same (after the
 * {@code nginx.ingress.kubernetes.io/} prefix; most have ours's name). The table {@link #ALL} is
 * the single source for parsing, validation and the user documentation.
 *
 * @param min lowest accepted number (seconds for durations)
 * @param max highest accepted number
 * @param choices accepted words for {@link Type#CHOICE}
 * @param nginxKeys the ingress-nginx annotations (prefix included) read when ours is not set, in the
 *     order they are looked for; empty when none
 */
public record AnnotationSpec(String name, Type type, long min, long max, List<String> choices, List<String> nginxKeys,
    String defaultValue, String meaning) {

  /** An annotation whose ingress-nginx twin, when {@code nginxAlias}, has the same name. */
  public AnnotationSpec(String name, Type type, long min, long max, List<String> choices, boolean nginxAlias,
      String defaultValue, String meaning) {
    this(name, type, min, max, choices, nginxAlias ? List.of(NGINX_PREFIX + name) : List.of(), defaultValue, meaning);
  }

  public static final String PREFIX = "clb.ingress.io/";
  public static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

  /** Kinds of values. */
  public enum Type {
    /** Whole seconds ({@code 600}) or with a unit ({@code 600s}, {@code 10m}, {@code 1h}). */
    DURATION,
    BOOLEAN,
    /** One word of {@code choices}, any case. */
    CHOICE,
    /** 0 (off) or a whole number in min..max. */
    SECONDS_OR_OFF,
    /** Comma-separated object names (DNS-1123 labels). */
    NAMES,
    /** An absolute http or https URL, which may end in {@code $request_uri}. */
    URL,
    /** A redirect status code of {@code choices}. */
    STATUS,
    /** nginx's size: bytes, or with k, m or g (binary units, either case); 0 = no limit. */
    SIZE,
    /** An absolute path, starting with {@code /}. */
    PATH,
    /** A path starting with {@code /} (a query may follow), with {@code $1}–{@code $9} for the groups of the matched path. */
    REWRITE,
    /** A host name or IP address, with an optional port. */
    HOST,
    /** A header value: no control characters, no white space at either end. */
    HEADER_VALUE,
    /** A whole number in min..max. */
    NUMBER,
    /** A header or cookie name (an RFC 9110 token). */
    TOKEN,
    /** A regular expression in RE2 syntax. */
    REGEX,
    /** Text with nginx variables ({@link io.clbingress.dataplane.table.HashKeyPart}). */
    HASH_KEY,
    /** Words of {@code choices} separated by spaces, each at most once. */
    WORDS,
    /** An object name (a DNS-1123 label). */
    NAME,
    /** Comma-separated status codes in min..max. */
    CODES,
    /** {@code *}, or comma-separated origins {@code http(s)://host[:port]} whose host may start with {@code *.}. */
    ORIGINS,
    /** Comma-separated tokens (methods or header names); {@code *} where the name says so. */
    TOKENS,
    /** Comma-separated IPv4 and IPv6 CIDRs or addresses. */
    CIDRS,
    /** An http or https URL with nginx variables ({@link io.clbingress.dataplane.table.HashKeyPart}). */
    URL_TEMPLATE,
    /** nginx's proxy_cache_valid entries, comma-separated: statuses then a time ({@code 200 202 10m, 401 1m}). */
    CACHE_DURATIONS,
    /** An object's name (a DNS-1123 subdomain), or {@code namespace/name}. */
    OBJECT_REF,
    /** Printable ASCII text (spaces too, kept as written), at most max characters; may be empty. */
    TEXT,
    /** {@code namespace/name} of an object (both DNS-1123 names). */
    NAMESPACED_REF
  }

  public static final AnnotationSpec PROXY_READ_TIMEOUT = new AnnotationSpec("proxy-read-timeout", Type.DURATION,
      1, 3600, List.of(), true, "60",
      "longest wait between two reads from the backend; for WebSocket, the idle timeout");
  public static final AnnotationSpec PROXY_SEND_TIMEOUT = new AnnotationSpec("proxy-send-timeout", Type.DURATION,
      1, 3600, List.of(), true, "60", "longest wait between two writes to the backend");
  public static final AnnotationSpec PROXY_CONNECT_TIMEOUT = new AnnotationSpec("proxy-connect-timeout",
      Type.DURATION, 1, 120, List.of(), true, "5", "connect to a backend endpoint");
  public static final AnnotationSpec SSL_REDIRECT = new AnnotationSpec("ssl-redirect", Type.BOOLEAN, 0, 0,
      List.of("true", "false"), true, "true", "redirect HTTP to HTTPS for TLS hosts");
  public static final AnnotationSpec BACKEND_PROTOCOL = new AnnotationSpec("backend-protocol", Type.CHOICE, 0, 0,
      List.of("HTTP", "HTTPS"), true, "HTTP", "protocol to the backend");
  public static final AnnotationSpec SCHEDULER = new AnnotationSpec("scheduler", Type.CHOICE, 0, 0,
      List.of("WRR", "LEAST_CONN", "IP_HASH"), false, "WRR", "load-balancing algorithm");
  public static final AnnotationSpec SESSION_PERSISTENCE = new AnnotationSpec("session-persistence",
      Type.SECONDS_OR_OFF, 30, 86400, List.of(), false, "0",
      "sticky sessions by cookie, lifetime in seconds; 0 = off");
  public static final AnnotationSpec LISTENER = new AnnotationSpec("listener", Type.NAMES, 0, 0, List.of(), false,
      "", "bind this Ingress to these CLBListeners (comma-separated names, same namespace)");

  private static final List<String> REDIRECT_CODES = List.of("301", "302", "303", "307", "308");
  public static final AnnotationSpec PERMANENT_REDIRECT = new AnnotationSpec("permanent-redirect", Type.URL, 0, 0,
      List.of(), true, "", "answer every request with a redirect to this URL (permanent-redirect-code) instead of"
      + " forwarding; a URL ending in $request_uri keeps the request's path and query");
  public static final AnnotationSpec PERMANENT_REDIRECT_CODE = new AnnotationSpec("permanent-redirect-code",
      Type.STATUS, 0, 0, REDIRECT_CODES, true, "301", "status of the permanent-redirect answer");
  public static final AnnotationSpec TEMPORAL_REDIRECT = new AnnotationSpec("temporal-redirect", Type.URL, 0, 0,
      List.of(), true, "", "as permanent-redirect, with temporal-redirect-code; wins when both are set");
  public static final AnnotationSpec TEMPORAL_REDIRECT_CODE = new AnnotationSpec("temporal-redirect-code",
      Type.STATUS, 0, 0, REDIRECT_CODES, true, "302", "status of the temporal-redirect answer");

  public static final AnnotationSpec PROXY_BODY_SIZE = new AnnotationSpec("proxy-body-size", Type.SIZE, 0, 0,
      List.of(), true, "", "largest request body, 413 above it (0 = no limit); the listener's limit when not set"
      + " (CLBListener spec.defaults.clientMaxBodySize, else none)");

  public static final AnnotationSpec FORCE_SSL_REDIRECT = new AnnotationSpec("force-ssl-redirect", Type.BOOLEAN, 0,
      0, List.of("true", "false"), true, "false", "redirect HTTP to HTTPS (308) for every host of the Ingress, TLS or not");
  public static final AnnotationSpec APP_ROOT = new AnnotationSpec("app-root", Type.PATH, 0, 0, List.of(), true, "",
      "answer a request for / with a 302 redirect to this path, on every host of the Ingress");

  public static final AnnotationSpec USE_REGEX = new AnnotationSpec("use-regex", Type.BOOLEAN, 0, 0,
      List.of("true", "false"), true, "false", "match paths as case-insensitive regular expressions (RE2) from the"
      + " start of the path; on a host where any Ingress sets it or rewrite-target, every path is matched so,"
      + " longest first");
  public static final AnnotationSpec REWRITE_TARGET = new AnnotationSpec("rewrite-target", Type.REWRITE, 0, 0,
      List.of(), true, "", "the path the backend receives instead, $1–$9 taken from the matched path's groups;"
      + " turns on use-regex for the Ingress's hosts");
  public static final AnnotationSpec X_FORWARDED_PREFIX = new AnnotationSpec("x-forwarded-prefix",
      Type.HEADER_VALUE, 0, 0, List.of(), true, "", "the X-Forwarded-Prefix header of requests that rewrite-target"
      + " rewrites");
  public static final AnnotationSpec UPSTREAM_VHOST = new AnnotationSpec("upstream-vhost", Type.HOST, 0, 0,
      List.of(), true, "", "the Host header the backend receives (X-Forwarded-Host keeps the client's)");

  public static final AnnotationSpec FROM_TO_WWW_REDIRECT = new AnnotationSpec("from-to-www-redirect",
      Type.BOOLEAN, 0, 0, List.of("true", "false"), true, "false", "redirect (308) requests for www.host to host, or"
      + " for host to www.host when the rule's host starts with www., unless an Ingress serves that name");
  public static final AnnotationSpec AFFINITY = new AnnotationSpec("affinity", Type.CHOICE, 0, 0, List.of("COOKIE"),
      true, "", "sticky sessions by cookie, shaped by the session-cookie-* annotations (clb.ingress.io/session-persistence"
      + " wins when both are set)");
  public static final AnnotationSpec AFFINITY_MODE = new AnnotationSpec("affinity-mode", Type.CHOICE, 0, 0,
      List.of("BALANCED", "PERSISTENT"), true, "BALANCED", "accepted; sessions are persistent either way: a client"
      + " stays on its endpoint while it is in the Service and healthy");
  public static final AnnotationSpec SESSION_COOKIE_NAME = new AnnotationSpec("session-cookie-name", Type.TOKEN, 0,
      0, List.of(), true, "INGRESSCOOKIE", "the affinity cookie's name");
  public static final AnnotationSpec SESSION_COOKIE_MAX_AGE = new AnnotationSpec("session-cookie-max-age",
      Type.NUMBER, 1, 31_536_000, List.of(), true, "", "the affinity session's lifetime in seconds (the cookie's"
      + " Max-Age); without it or session-cookie-expires, a browser-session cookie whose session ends after 30 days");
  public static final AnnotationSpec SESSION_COOKIE_EXPIRES = new AnnotationSpec("session-cookie-expires",
      Type.NUMBER, 1, 31_536_000, List.of(), true, "", "as session-cookie-max-age, which wins when both are set");
  public static final AnnotationSpec SESSION_COOKIE_PATH = new AnnotationSpec("session-cookie-path", Type.PATH, 0, 0,
      List.of(), true, "", "the affinity cookie's Path; the route's path when not set (/ for a regex path)");
  public static final AnnotationSpec SESSION_COOKIE_SAMESITE = new AnnotationSpec("session-cookie-samesite",
      Type.CHOICE, 0, 0, List.of("NONE", "LAX", "STRICT"), true, "LAX", "the affinity cookie's SameSite");
  public static final AnnotationSpec SESSION_COOKIE_SECURE = new AnnotationSpec("session-cookie-secure",
      Type.BOOLEAN, 0, 0, List.of("true", "false"), true, "false", "always mark the affinity cookie Secure (it is"
      + " Secure over HTTPS anyway)");
  public static final AnnotationSpec SESSION_COOKIE_CHANGE_ON_FAILURE = new AnnotationSpec(
      "session-cookie-change-on-failure", Type.BOOLEAN, 0, 0, List.of("true", "false"), true, "false", "accepted; a"
      + " client whose endpoint left the Service or failed its health checks always gets another one and a new cookie");
  public static final AnnotationSpec CLIENT_BODY_BUFFER_SIZE = new AnnotationSpec("client-body-buffer-size",
      Type.SIZE, 0, 0, List.of(), true, "", "accepted; a request body streams to the backend as it arrives, never"
      + " held in memory or on disk beyond one read");
  public static final AnnotationSpec PROXY_BUFFERING = new AnnotationSpec("proxy-buffering", Type.CHOICE, 0, 0,
      List.of("ON", "OFF"), true, "OFF", "accepted; an answer streams to the client as the backend sends it, and a"
      + " slow client slows the backend down (flow control) where nginx with on would hold the answer for it");
  public static final AnnotationSpec PROXY_REQUEST_BUFFERING = new AnnotationSpec("proxy-request-buffering",
      Type.CHOICE, 0, 0, List.of("ON", "OFF"), true, "ON", "accepted; a request body streams to the backend as it"
      + " arrives (nginx's off) whatever the value");
  public static final AnnotationSpec LOAD_BALANCE = new AnnotationSpec("load-balance", Type.CHOICE, 0, 0,
      List.of("ROUND_ROBIN", "EWMA"), true, "ROUND_ROBIN", "round_robin is WRR; ewma is LEAST_CONN here (the fewest"
      + " open requests and tunnels, not a latency average); clb.ingress.io/scheduler wins when both are set");
  public static final AnnotationSpec UPSTREAM_HASH_BY = new AnnotationSpec("upstream-hash-by", Type.HASH_KEY, 0, 0,
      List.of(), true, "", "a consistent hash (IP_HASH's ring) of this request value instead of the client's"
      + " address, so one user stays on one endpoint; wins over load-balance, clb.ingress.io/scheduler over it");
  public static final AnnotationSpec SERVICE_UPSTREAM = new AnnotationSpec("service-upstream", Type.BOOLEAN, 0, 0,
      List.of("true", "false"), true, "false", "send to the Service's cluster IP and port (kube-proxy balances)"
      + " instead of its endpoints; a headless Service keeps its endpoints");
  public static final AnnotationSpec CANARY = new AnnotationSpec("canary", Type.BOOLEAN, 0, 0,
      List.of("true", "false"), true, "false", "this Ingress is the canary of the Ingress that serves the same host"
      + " and path: it takes the requests the canary-* annotations choose, and its other annotations are the main"
      + " route's");
  public static final AnnotationSpec CANARY_BY_HEADER = new AnnotationSpec("canary-by-header", Type.TOKEN, 0, 0,
      List.of(), true, "", "a request with this header set to always goes to the canary, never stays off it");
  public static final AnnotationSpec CANARY_BY_HEADER_VALUE = new AnnotationSpec("canary-by-header-value",
      Type.HEADER_VALUE, 0, 0, List.of(), true, "", "the value of canary-by-header that chooses the canary instead of"
      + " always");
  public static final AnnotationSpec CANARY_BY_HEADER_PATTERN = new AnnotationSpec("canary-by-header-pattern",
      Type.REGEX, 0, 0, List.of(), true, "", "a pattern found in canary-by-header's value chooses the canary"
      + " (ignored with canary-by-header-value)");
  public static final AnnotationSpec CANARY_BY_COOKIE = new AnnotationSpec("canary-by-cookie", Type.TOKEN, 0, 0,
      List.of(), true, "", "a request with this cookie set to always goes to the canary, never stays off it");
  public static final AnnotationSpec CANARY_WEIGHT = new AnnotationSpec("canary-weight", Type.NUMBER, 0, 1_000_000,
      List.of(), true, "0", "the requests, of canary-weight-total, that go to the canary at random when no header or"
      + " cookie decided");
  public static final AnnotationSpec CANARY_WEIGHT_TOTAL = new AnnotationSpec("canary-weight-total", Type.NUMBER, 1,
      1_000_000, List.of(), true, "100", "the total that canary-weight is a share of; below 100 it counts as 100,"
      + " as in ingress-nginx's balancer");
  public static final AnnotationSpec PROXY_NEXT_UPSTREAM = new AnnotationSpec("proxy-next-upstream", Type.WORDS, 0, 0,
      List.of("error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_403",
          "http_404", "http_429", "non_idempotent", "off"), true, "", "when a failed try is passed to the next endpoint"
      + " (each endpoint once, before any of the answer reached the client; a request whose body went out is never"
      + " sent again); with -tries or -timeout alone, error timeout; without any of the three, a failed connect is"
      + " tried once more on the next endpoint");
  public static final AnnotationSpec PROXY_NEXT_UPSTREAM_TRIES = new AnnotationSpec("proxy-next-upstream-tries",
      Type.NUMBER, 0, 101, List.of(), true, "3", "tries of a request in all, the first included (0 = as many as the"
      + " cluster has endpoints)");
  public static final AnnotationSpec PROXY_NEXT_UPSTREAM_TIMEOUT = new AnnotationSpec("proxy-next-upstream-timeout",
      Type.DURATION, 0, 3600, List.of(), true, "0", "no further try begins this long after the request came (0 = no"
      + " limit)");
  public static final AnnotationSpec DEFAULT_BACKEND = new AnnotationSpec("default-backend", Type.NAME, 0, 0,
      List.of(), true, "", "a Service of the Ingress's namespace (its first port, plain HTTP) that serves the"
      + " Ingress's paths whose Service has no endpoint, and the pages of custom-http-errors");
  public static final AnnotationSpec CUSTOM_HTTP_ERRORS = new AnnotationSpec("custom-http-errors", Type.CODES, 400,
      599, List.of(), true, "", "answers of the backend with these statuses are replaced by default-backend's page"
      + " for GET / (with X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name,"
      + " X-Service-Port); needs default-backend on the same Ingress");
  public static final AnnotationSpec ENABLE_CORS = new AnnotationSpec("enable-cors", Type.BOOLEAN, 0, 0, List.of("true", "false"),
      true, "false", "CORS answered at the edge: an OPTIONS request of an allowed origin gets 204 with the"
      + " Access-Control-* headers without reaching the backend; every answer to a request of an allowed origin gets"
      + " them (replacing the backend's); the other cors-* annotations are read only with it");
  public static final AnnotationSpec CORS_ALLOW_ORIGIN = new AnnotationSpec("cors-allow-origin", Type.ORIGINS, 0, 0,
      List.of(), true, "*", "the origins allowed: * (any, answered with *, so browsers send no credentials), or a"
      + " list, answered with the request's Origin and Vary: Origin; https://*.example.com allows one more label");
  public static final AnnotationSpec CORS_ALLOW_METHODS = new AnnotationSpec("cors-allow-methods", Type.TOKENS, 0, 0,
      List.of(), true, "GET, PUT, POST, DELETE, PATCH, OPTIONS", "Access-Control-Allow-Methods");
  public static final AnnotationSpec CORS_ALLOW_HEADERS = new AnnotationSpec("cors-allow-headers", Type.TOKENS, 0, 0,
      List.of(), true, "DNT, Keep-Alive, User-Agent, X-Requested-With, If-Modified-Since, Cache-Control, Content-Type,"
      + " Range, Authorization", "Access-Control-Allow-Headers");
  public static final AnnotationSpec CORS_EXPOSE_HEADERS = new AnnotationSpec("cors-expose-headers", Type.TOKENS, 0,
      0, List.of(), true, "", "Access-Control-Expose-Headers (none when empty; * for all)");
  public static final AnnotationSpec CORS_ALLOW_CREDENTIALS = new AnnotationSpec("cors-allow-credentials",
      Type.BOOLEAN, 0, 0, List.of("true", "false"), true, "true", "Access-Control-Allow-Credentials: true is sent");
  public static final AnnotationSpec CORS_MAX_AGE = new AnnotationSpec("cors-max-age", Type.NUMBER, 0,
      Integer.MAX_VALUE, List.of(), true, "1728000", "Access-Control-Max-Age: seconds a browser keeps a preflight's"
      + " answer");
  public static final AnnotationSpec ALLOW_SOURCE_RANGE = new AnnotationSpec("allow-source-range", Type.CIDRS, 0, 0,
      List.of(), List.of(NGINX_PREFIX + "allowlist-source-range", NGINX_PREFIX + "whitelist-source-range"), "",
      "only clients from these ranges are served; the others get 403, before anything reaches the backend");
  public static final AnnotationSpec DENY_SOURCE_RANGE = new AnnotationSpec("deny-source-range", Type.CIDRS, 0, 0,
      List.of(), List.of(NGINX_PREFIX + "denylist-source-range"), "", "clients from these ranges get 403, even when"
      + " allow-source-range has them");
  public static final AnnotationSpec LIMIT_RPS = new AnnotationSpec("limit-rps", Type.NUMBER, 0, 1_000_000, List.of(),
      true, "0", "requests per second per client address, per data plane replica (0 = no limit); a client may send"
      + " limit-burst-multiplier times as many at once; above that, the limit-req-status-code (503) without reaching"
      + " the backend");
  public static final AnnotationSpec LIMIT_RPM = new AnnotationSpec("limit-rpm", Type.NUMBER, 0, 60_000_000,
      List.of(), true, "0", "requests per minute per client address, as limit-rps (both set: a request passes both)");
  public static final AnnotationSpec LIMIT_BURST_MULTIPLIER = new AnnotationSpec("limit-burst-multiplier", Type.NUMBER,
      1, 1000, List.of(), true, "5", "the burst of limit-rps and limit-rpm: this many times the rate at once");
  public static final AnnotationSpec LIMIT_CONNECTIONS = new AnnotationSpec("limit-connections", Type.NUMBER, 0,
      10_000_000, List.of(), true, "0", "requests in progress at once per client address, per data plane replica"
      + " (0 = no limit; nginx's limit_conn: an idle kept-alive connection does not count, each HTTP/2 stream and"
      + " each open WebSocket does); above it, the limit-conn-status-code (503) without reaching the backend");
  public static final AnnotationSpec LIMIT_WHITELIST = new AnnotationSpec("limit-whitelist", Type.CIDRS, 0, 0,
      List.of(), true, "", "client addresses never rate- or connection-limited");
  public static final AnnotationSpec MAX_TUNNELS = new AnnotationSpec("max-tunnels", Type.NUMBER, 0, 10_000_000,
      List.of(), false, "0", "WebSocket tunnels open at once through the Ingress's routes, per data plane replica"
      + " (0 = no cap); an upgrade over it gets 503 before the backend is asked");
  public static final AnnotationSpec MAX_TUNNELS_PER_CLIENT = new AnnotationSpec("max-tunnels-per-client",
      Type.NUMBER, 0, 10_000_000, List.of(), false, "0", "the same per client address (0 = no cap)");
  public static final AnnotationSpec AUTH_TYPE = new AnnotationSpec("auth-type", Type.CHOICE, 0, 0,
      List.of("BASIC", "DIGEST"), true, "", "basic: HTTP Basic authentication (RFC 7617) against the users of"
      + " auth-secret; a request without valid credentials gets 401 before anything reaches the backend. digest is"
      + " not supported: the routes then refuse every client (403) with a Warning");
  public static final AnnotationSpec AUTH_SECRET = new AnnotationSpec("auth-secret", Type.OBJECT_REF, 0, 0, List.of(),
      true, "", "the Secret of the users (of type Opaque, as kubectl create secret generic makes it), in the Ingress's"
      + " namespace (another namespace is refused, as ingress-nginx does without allow-cross-namespace-resources);"
      + " its changes apply without touching the Ingress; a missing Secret or an unreadable line refuses every client"
      + " (403) with a Warning. Hashes: bcrypt (htpasswd -B), apr1 (-m), SHA-256/512 crypt"
      + " (-2, -5), {SHA} (-s), crypt (-d), $1$ MD5 crypt, plain (-p)");
  public static final AnnotationSpec AUTH_SECRET_TYPE = new AnnotationSpec("auth-secret-type", Type.CHOICE, 0, 0,
      List.of("AUTH-FILE", "AUTH-MAP"), true, "AUTH-FILE", "auth-file: the Secret's key auth is an htpasswd file"
      + " (user:hash lines; blank lines and # comments skipped); auth-map: each key is a user, its value the hash");
  public static final AnnotationSpec AUTH_REALM = new AnnotationSpec("auth-realm", Type.TEXT, 0, 256, List.of(), true,
      "", "the realm of the 401's WWW-Authenticate: Basic challenge");

  private static final String AUTH_SET = " (read only with auth-url)";
  public static final AnnotationSpec AUTH_URL = new AnnotationSpec("auth-url", Type.URL_TEMPLATE, 0, 0, List.of(), true,
      "", "every request and WebSocket upgrade of the routes is first sent, without its body, to this authentication"
      + " service: 2xx lets it through, 401 and 403 go back to the client (401 as a redirect to auth-signin when set),"
      + " anything else, a timeout or no connection is 500; nothing reaches the backend before the service allowed it");
  public static final AnnotationSpec AUTH_METHOD = new AnnotationSpec("auth-method", Type.CHOICE, 0, 0,
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), true, "GET",
      "the method of the request to the auth-url service" + AUTH_SET);
  public static final AnnotationSpec AUTH_SIGNIN = new AnnotationSpec("auth-signin", Type.URL_TEMPLATE, 0, 0, List.of(),
      true, "", "where a 401 of the service redirects the client (302), with the request's URL added as the"
      + " auth-signin-redirect-param argument unless the URL has it" + AUTH_SET);
  public static final AnnotationSpec AUTH_SIGNIN_REDIRECT_PARAM = new AnnotationSpec("auth-signin-redirect-param",
      Type.TOKEN, 0, 0, List.of(), true, "rd", "the query argument of auth-signin naming the request's URL" + AUTH_SET);
  public static final AnnotationSpec AUTH_RESPONSE_HEADERS = new AnnotationSpec("auth-response-headers", Type.TOKENS, 0,
      0, List.of(), true, "", "headers of the service's 2xx answer set on the request to the backend; one the"
      + " answer lacks is removed from the request, so a client cannot send it itself" + AUTH_SET);
  public static final AnnotationSpec AUTH_REQUEST_REDIRECT = new AnnotationSpec("auth-request-redirect", Type.HASH_KEY,
      0, 0, List.of(), true, "", "the X-Auth-Request-Redirect header sent to the service (the request's path and"
      + " query when not set)" + AUTH_SET);
  public static final AnnotationSpec AUTH_CACHE_KEY = new AnnotationSpec("auth-cache-key", Type.HASH_KEY, 0, 0,
      List.of(), true, "", "cache the service's answers under this key, per Ingress and data plane replica (e.g."
      + " $http_authorization$cookie_session): requests with the same key get the same answer, so it must hold every"
      + " credential the service reads" + AUTH_SET);
  public static final AnnotationSpec AUTH_CACHE_DURATION = new AnnotationSpec("auth-cache-duration",
      Type.CACHE_DURATIONS, 0, 0, List.of(), true, "200 202 401 5m", "how long answers are cached, by status (nginx's"
      + " proxy_cache_valid); read only with auth-cache-key");
  public static final AnnotationSpec AUTH_ALWAYS_SET_COOKIE = new AnnotationSpec("auth-always-set-cookie", Type.BOOLEAN,
      0, 0, List.of("true", "false"), true, "false", "the service's Set-Cookie goes to the client with every answer,"
      + " not only 200, 201, 204, 206, 301, 302, 303, 304, 307, 308" + AUTH_SET);

  public static final AnnotationSpec AUTH_TLS_SECRET = new AnnotationSpec("auth-tls-secret", Type.NAMESPACED_REF, 0, 0,
      List.of(), true, "", "the Secret (namespace/name) whose ca.crt (and ca.crl, when present) client certificates"
      + " of the Ingress's hosts are verified against, on the default HTTPS listener: their TLS handshakes ask for a"
      + " client certificate, the other hosts' do not; a request for one of these hosts on a connection made for"
      + " another host (SNI) gets 421");
  public static final AnnotationSpec AUTH_TLS_VERIFY_CLIENT = new AnnotationSpec("auth-tls-verify-client",
      Type.CHOICE, 0, 0, List.of("ON", "OFF", "OPTIONAL", "OPTIONAL_NO_CA"), true, "on", "with auth-tls-secret: ON,"
      + " a request without a valid client certificate gets 400 (or the error page) and never reaches the backend;"
      + " OPTIONAL, one without a certificate passes (an invalid one gets 400); OPTIONAL_NO_CA, one whose issuer is"
      + " unknown passes too; OFF asks for none. The backend gets ssl-client-verify (SUCCESS, NONE, FAILED:reason),"
      + " ssl-client-subject-dn and ssl-client-issuer-dn; clients' own values of these headers are dropped");
  public static final AnnotationSpec AUTH_TLS_VERIFY_DEPTH = new AnnotationSpec("auth-tls-verify-depth", Type.NUMBER,
      1, 100, List.of(), true, "1", "the longest client certificate chain accepted, without the CA: 1 = issued by a"
      + " CA of ca.crt, 2 = through one intermediate the client sends, ...");
  public static final AnnotationSpec AUTH_TLS_PASS_CERTIFICATE_TO_UPSTREAM = new AnnotationSpec(
      "auth-tls-pass-certificate-to-upstream", Type.BOOLEAN, 0, 0, List.of("true", "false"), true, "false",
      "the client certificate goes to the backend, URL-encoded PEM, in ssl-client-cert");
  public static final AnnotationSpec AUTH_TLS_ERROR_PAGE = new AnnotationSpec("auth-tls-error-page", Type.URL, 0, 0,
      List.of(), true, "", "where a request refused for its client certificate is redirected (302) instead of"
      + " answered 400");
  public static final AnnotationSpec AUTH_TLS_MATCH_CN = new AnnotationSpec("auth-tls-match-cn", Type.REGEX, 0, 0,
      List.of(), true, "", "a pattern that the client certificate's subject DN (RFC 2253, e.g. CN=alice,O=Example)"
      + " must contain; otherwise 403");

  public static final AnnotationSpec ENABLE_ACCESS_LOG = new AnnotationSpec("enable-access-log", Type.BOOLEAN, 0, 0,
      List.of("true", "false"), true, "true", "false leaves the Ingress's requests out of the access log"
      + " (docs/access-log.md); its tunnels' lines are still written; true cannot turn on a log the data plane has off"
      + " (--access-log off)");
  public static final AnnotationSpec ENABLE_OPENTELEMETRY = new AnnotationSpec("enable-opentelemetry", Type.BOOLEAN, 0,
      0, List.of("true", "false"), true, "true", "a SERVER span per request of the Ingress sent to a backend, exported"
      + " over OTLP, when the data plane has --otlp-endpoint (without it nothing is traced, whatever this says; with it,"
      + " every route is traced unless this is false, where ingress-nginx traces none unless its ConfigMap says so);"
      + " false: no span, and the client's traceparent and tracestate reach the backend unchanged");
  public static final AnnotationSpec OPENTELEMETRY_TRUST_INCOMING_SPAN = new AnnotationSpec(
      "opentelemetry-trust-incoming-span", Type.BOOLEAN, 0, 0, List.of("true", "false"), true, "true", "the client's"
      + " traceparent is the parent of the request's span; false: each request starts a trace of its own, and the"
      + " backend receives that trace's traceparent instead of the client's (and no tracestate)");

  public static final List<AnnotationSpec> ALL = List.of(PROXY_READ_TIMEOUT, PROXY_SEND_TIMEOUT,
      PROXY_CONNECT_TIMEOUT, SSL_REDIRECT, BACKEND_PROTOCOL, SCHEDULER, SESSION_PERSISTENCE, LISTENER,
      PERMANENT_REDIRECT, PERMANENT_REDIRECT_CODE, TEMPORAL_REDIRECT, TEMPORAL_REDIRECT_CODE, PROXY_BODY_SIZE,
      FORCE_SSL_REDIRECT, APP_ROOT, USE_REGEX, REWRITE_TARGET, X_FORWARDED_PREFIX, UPSTREAM_VHOST, CANARY,
      CANARY_BY_HEADER, CANARY_BY_HEADER_VALUE, CANARY_BY_HEADER_PATTERN, CANARY_BY_COOKIE, CANARY_WEIGHT,
      CANARY_WEIGHT_TOTAL, FROM_TO_WWW_REDIRECT, AFFINITY, AFFINITY_MODE, SESSION_COOKIE_NAME, SESSION_COOKIE_MAX_AGE,
      SESSION_COOKIE_EXPIRES, SESSION_COOKIE_PATH, SESSION_COOKIE_SAMESITE, SESSION_COOKIE_SECURE,
      SESSION_COOKIE_CHANGE_ON_FAILURE, CLIENT_BODY_BUFFER_SIZE, PROXY_BUFFERING, PROXY_REQUEST_BUFFERING, LOAD_BALANCE,
      UPSTREAM_HASH_BY, SERVICE_UPSTREAM, PROXY_NEXT_UPSTREAM, PROXY_NEXT_UPSTREAM_TRIES, PROXY_NEXT_UPSTREAM_TIMEOUT,
      DEFAULT_BACKEND, CUSTOM_HTTP_ERRORS, ENABLE_CORS, CORS_ALLOW_ORIGIN, CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS,
      CORS_EXPOSE_HEADERS, CORS_ALLOW_CREDENTIALS, CORS_MAX_AGE, ALLOW_SOURCE_RANGE, DENY_SOURCE_RANGE,
      LIMIT_RPS, LIMIT_RPM, LIMIT_BURST_MULTIPLIER, LIMIT_CONNECTIONS, LIMIT_WHITELIST, MAX_TUNNELS,
      MAX_TUNNELS_PER_CLIENT, AUTH_URL, AUTH_METHOD, AUTH_SIGNIN, AUTH_SIGNIN_REDIRECT_PARAM, AUTH_RESPONSE_HEADERS,
      AUTH_REQUEST_REDIRECT, AUTH_CACHE_KEY, AUTH_CACHE_DURATION, AUTH_ALWAYS_SET_COOKIE, AUTH_TYPE, AUTH_SECRET,
      AUTH_SECRET_TYPE, AUTH_REALM, AUTH_TLS_SECRET, AUTH_TLS_VERIFY_CLIENT, AUTH_TLS_VERIFY_DEPTH,
      AUTH_TLS_PASS_CERTIFICATE_TO_UPSTREAM, AUTH_TLS_ERROR_PAGE, AUTH_TLS_MATCH_CN, ENABLE_ACCESS_LOG,
      ENABLE_OPENTELEMETRY, OPENTELEMETRY_TRUST_INCOMING_SPAN);

  public String key() {
    return PREFIX + name;
  }

  /** Whether an ingress-nginx annotation is honoured as this one. */
  public boolean nginxAlias() {
    return !nginxKeys.isEmpty();
  }

  /** The first ingress-nginx annotation honoured as this one (the one the documentation names first). */
  public String nginxKey() {
    return nginxKeys.get(0);
  }

  /** What the table in README says under "accepted". */
  public String acceptedText() {
    return switch (type) {
      case DURATION -> min + "–" + max + " s";
      case BOOLEAN, CHOICE -> String.join(", ", choices);
      case SECONDS_OR_OFF -> "0, " + min + "–" + max;
      case NAMES -> "names";
      case URL -> "http(s)://host[:port][/path], or http(s)://host[:port]$request_uri";
      case STATUS -> String.join(", ", choices);
      case SIZE -> "0, or bytes with k, m, g (1024-based): 512k, 8m, 1g";
      case PATH -> "a path starting with /";
      case REWRITE -> "a path starting with /, with $1–$9";
      case HOST -> "host or host:port";
      case HEADER_VALUE -> "text";
      case NUMBER -> min + "–" + max;
      case TOKEN -> "a header or cookie name";
      case REGEX -> "an RE2 regular expression";
      case HASH_KEY -> "text with " + io.clbingress.dataplane.table.HashKeyPart.VARIABLES;
      case WORDS -> "space-separated: " + String.join(", ", choices);
      case NAME -> "a Service name";
      case CODES -> "comma-separated, " + min + "–" + max;
      case ORIGINS -> "*, or comma-separated http(s)://host[:port] (host may start with *.)";
      case TOKENS -> "comma-separated names";
      case CIDRS -> "comma-separated IPv4/IPv6 CIDRs or addresses";
      case URL_TEMPLATE -> "http(s)://host[:port][/path] with " + io.clbingress.dataplane.table.HashKeyPart.VARIABLES;
      case CACHE_DURATIONS -> "comma-separated: statuses (200–599) then a time (30s, 5m, 1h, 1d)";
      case OBJECT_REF -> "name, or namespace/name";
      case TEXT -> "printable ASCII, up to " + max + " characters";
      case NAMESPACED_REF -> "namespace/name";
    };
  }
}
