package io.clbingress.operator.standalone;

import java.nio.file.Path;

/** A YAML file that cannot be used, with where and why. */
final class ManifestException extends Exception {

  ManifestException(Path file, String where, String reason) {
    super(file + (where.isEmpty() ? "" : " " + where) + ": " + reason);
  }
}
