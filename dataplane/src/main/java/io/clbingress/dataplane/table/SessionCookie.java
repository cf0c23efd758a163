package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.Set;

/**
 * The cookie of a route's sticky sessions ({@link Route#sessionTtlSeconds}), when it is not
 * {@link #DEFAULT}: ingress-nginx's {@code affinity: cookie} with its {@code session-cookie-*}
 * annotations (Gateway API's SessionPersistence cookie). The cookie's value names the endpoint and
 * the session's expiry, which the data plane checks whatever the browser keeps.
 *
 * @param name the cookie name, an RFC 6265 token
 * @param path the cookie's Path, starting with {@code /}; null for the route's path ({@code /} for
 *     a RegularExpression route)
 * @param sameSite {@code Strict}, {@code Lax} or {@code None}; null for {@code Lax}
 * @param secure true: always {@code Secure}; false: {@code Secure} only towards a client that came over TLS
 * @param session true: the cookie has no Max-Age, so the browser drops it when it closes (the session
 *     still ends after the route's TTL); false: Max-Age is the route's TTL
 * @throws IllegalArgumentException for a name that is not a token, a path that does not start with
 *     {@code /} or holds white space, control characters or {@code ;}, or another SameSite value
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionCookie(String name, String path, String sameSite, boolean secure, boolean session)
    implements RouteFilter {

  /** The cookie of sticky sessions that set nothing else ({@code clb.ingress.io/session-persistence}, CLBListener rules). */
  public static final SessionCookie DEFAULT = new SessionCookie("clb_session", null, null, false, false);

  /** RFC 6265bis's values, spelled as browsers document them. */
  public static final Set<String> SAME_SITE = Set.of("Strict", "Lax", "None");

  public SessionCookie {
    Objects.requireNonNull(name, "name");
    if (!TableText.token(name)) {
      throw new IllegalArgumentException("session cookie name \"" + TableText.printable(name) + "\" is not a token");
    }
    if (path != null && (!path.startsWith("/") || !TableText.requestTarget(path) || path.indexOf(';') >= 0)) {
      throw new IllegalArgumentException("session cookie path \"" + TableText.printable(path)
          + "\" must start with / and hold only visible ASCII, without ;");
    }
    if (sameSite != null && !SAME_SITE.contains(sameSite)) {
      throw new IllegalArgumentException("session cookie SameSite " + TableText.printable(sameSite)
          + " is not Strict, Lax or None");
    }
  }
}
