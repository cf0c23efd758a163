package io.clbingress.operator.translate;

import io.clbingress.dataplane.table.BasicAuth;
import io.clbingress.operator.state.IngressInfo;
import io.clbingress.operator.state.ObjectRef;
import io.clbingress.operator.state.SecretInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ingress-nginx's {@code auth-type: basic} with {@code auth-secret}, {@code auth-secret-type} and
 * {@code auth-realm} as a route's {@link BasicAuth}, the users read from the Secret (ingress-nginx's
 * auth annotation parser and its "Basic Authentication" example). Every error is a problem naming
 * the annotation, and the Secret and line or key where it is one, never a hash; all four
 * annotations guard the route ({@link EdgePolicyOptions#GUARDS}), so a route whose authentication
 * cannot be read refuses every client rather than serving it open ({@link FailClosed}).
 * Unlike ingress-nginx: {@code auth-secret} (or the others) without {@code auth-type} is a problem
 * too (ingress-nginx serves such a route open, in silence); {@code digest} is refused; a line that
 * is not {@code user:hash} of a known format, or a user listed twice, is a problem (nginx skips or
 * takes the first).
 */
final class BasicAuthOptions {

  /** The annotations read here. */
  static final List<AnnotationSpec> ALL = List.of(AnnotationSpec.AUTH_TYPE, AnnotationSpec.AUTH_SECRET,
      AnnotationSpec.AUTH_SECRET_TYPE, AnnotationSpec.AUTH_REALM);
  /** The key of an {@code auth-file} Secret that holds the htpasswd file. */
  static final String AUTH_FILE_KEY = "auth";

  private BasicAuthOptions() {
  }

  /**
   * The Secret {@code auth-secret} names (in the Ingress's namespace when the value names none), or
   * null when it is not set or not a name: what the Ingress's reading depends on besides itself.
   */
  static ObjectRef secretRef(IngressInfo ingress) {
    String value = AnnotationParser.objectRef(ingress.annotations(), AnnotationSpec.AUTH_SECRET).orElse(null);
    if (value == null) {
      return null;
    }
    int slash = value.indexOf('/');
    return new ObjectRef("Secret", slash < 0 ? ingress.ref().namespace() : value.substring(0, slash),
        value.substring(slash + 1));
  }

  /**
   * The routes' basic authentication, or null when none is asked for, or after a problem.
   *
   * @param secrets the Secrets by reference; null to check the annotations only (the Secret is not read)
   */
  static BasicAuth parse(IngressInfo ingress, Map<ObjectRef, SecretInfo> secrets, List<Problem> problems) {
    Map<String, String> annotations = ingress.annotations();
    int before = problems.size();
    String type = IngressOptions.valid(ingress, problems, AnnotationParser.choice(annotations, AnnotationSpec.AUTH_TYPE), null);
    String secretName = IngressOptions.valid(ingress, problems,
        AnnotationParser.objectRef(annotations, AnnotationSpec.AUTH_SECRET), null);
    String secretType = IngressOptions.valid(ingress, problems,
        AnnotationParser.choice(annotations, AnnotationSpec.AUTH_SECRET_TYPE), AnnotationSpec.AUTH_SECRET_TYPE.defaultValue());
    String realm = IngressOptions.valid(ingress, problems, AnnotationParser.text(annotations, AnnotationSpec.AUTH_REALM),
        AnnotationSpec.AUTH_REALM.defaultValue());
    if (problems.size() > before) {
      return null;
    }
    if (type == null) {
      ALL.stream().filter(spec -> annotations.containsKey(IngressOptions.annotationKey(annotations, spec)))
          .findFirst().ifPresent(set -> problems.add(problem(ingress, set, "set without auth-type, so no"
              + " authentication would apply (ingress-nginx serves the route open); set auth-type: basic")));
      return null;
    }
    if (type.equals("DIGEST")) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_TYPE, "digest authentication is not supported (basic is)"));
      return null;
    }
    if (secretName == null) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_TYPE, "needs auth-secret, the Secret of the users"));
      return null;
    }
    ObjectRef ref = secretRef(ingress);
    if (!ref.namespace().equals(ingress.ref().namespace())) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, "Secret " + ref.namespacedName() + " is in another"
          + " namespace; only the Ingress's own are read (as ingress-nginx without allow-cross-namespace-resources)"));
      return null;
    }
    if (secrets == null) {
      return null;
    }
    SecretInfo secret = secrets.get(ref);
    if (secret == null) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, "Secret " + ref.namespacedName() + " not found"
          + " (of type Opaque or any but kubernetes.io/tls)"));
      return null;
    }
    List<BasicAuth.User> users = secretType.equals("AUTH-MAP") ? fromMap(ingress, secret, problems)
        : fromFile(ingress, secret, problems);
    if (problems.size() > before) {
      return null;
    }
    try {
      return new BasicAuth(realm, users);
    } catch (IllegalArgumentException e) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, "Secret " + ref.namespacedName() + ": " + e.getMessage()));
      return null;
    }
  }

  /** The users of an htpasswd file under the Secret's key {@code auth}: a {@code user:hash} a line. */
  private static List<BasicAuth.User> fromFile(IngressInfo ingress, SecretInfo secret, List<Problem> problems) {
    String file = secret.data().get(AUTH_FILE_KEY);
    String where = "Secret " + secret.ref().namespacedName();
    if (file == null) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, where + " has no key " + AUTH_FILE_KEY
          + " (the htpasswd file of auth-secret-type auth-file)"));
      return List.of();
    }
    int before = problems.size();
    List<BasicAuth.User> users = new ArrayList<>();
    Map<String, Integer> lineOf = new HashMap<>();
    List<String> lines = file.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).stripTrailing();
      String at = where + ", key " + AUTH_FILE_KEY + ", line " + (i + 1);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, at + ": not user:hash"));
        continue;
      }
      BasicAuth.User user = user(ingress, line.substring(0, colon), line.substring(colon + 1), at, problems);
      Integer first = user == null ? null : lineOf.putIfAbsent(user.name(), i + 1);
      if (first != null) {
        problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, at + ": user " + user.name()
            + " is already on line " + first));
      } else if (user != null) {
        users.add(user);
      }
    }
    if (users.isEmpty() && problems.size() == before) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, where + ", key " + AUTH_FILE_KEY + ": no users"));
    }
    return users;
  }

  /** The users of an {@code auth-map} Secret: each key a user, its value the hash. */
  private static List<BasicAuth.User> fromMap(IngressInfo ingress, SecretInfo secret, List<Problem> problems) {
    String where = "Secret " + secret.ref().namespacedName();
    if (secret.data().isEmpty()) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, where + " has no keys (the users of auth-secret-type"
          + " auth-map)"));
    }
    List<BasicAuth.User> users = new ArrayList<>();
    new java.util.TreeMap<>(secret.data()).forEach((name, hash) -> {
      BasicAuth.User user = user(ingress, name, hash.strip(), where + ", key " + name, problems);
      if (user != null) {
        users.add(user);
      }
    });
    return users;
  }

  /** A user of the table, or null after a problem that names {@code at} and the user, never the hash. */
  private static BasicAuth.User user(IngressInfo ingress, String name, String hash, String at, List<Problem> problems) {
    try {
      return new BasicAuth.User(name, hash);
    } catch (IllegalArgumentException e) {
      problems.add(problem(ingress, AnnotationSpec.AUTH_SECRET, at + ": " + e.getMessage()));
      return null;
    }
  }

  private static Problem problem(IngressInfo ingress, AnnotationSpec spec, String reason) {
    return new Problem(ingress.ref(), Problem.annotationField(IngressOptions.annotationKey(ingress.annotations(), spec)),
        reason);
  }
}
