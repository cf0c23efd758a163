package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How a {@link URLRewrite} changes the path a backend receives (Gateway API's HTTPPathModifier,
 * whose {@code ReplaceFullPath} and {@code ReplacePrefixMatch} join here when HTTPRoute does).
 * In the table as {@code {"type": "RegexSubstitution", ...}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = RegexSubstitution.class, name = "RegexSubstitution")})
public sealed interface PathModifier permits RegexSubstitution {
}
