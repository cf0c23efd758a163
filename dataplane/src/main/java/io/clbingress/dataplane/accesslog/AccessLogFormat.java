package io.clbingress.dataplane.accesslog;

import java.util.Locale;

/** What the access log writes ({@code --access-log}): nothing, a JSON object per line, or an nginx-like text line. */
public enum AccessLogFormat {
  OFF, JSON, TEXT;

  /**
   * {@code off}, {@code json} or {@code text}, in any case.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static AccessLogFormat parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("access log format must be off, json or text: " + value);
    }
  }
}
