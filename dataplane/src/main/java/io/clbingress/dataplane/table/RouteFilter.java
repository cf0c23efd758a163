package io.clbingress.dataplane.table;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Something a route does to a request besides choosing its cluster, named and shaped after Gateway
 * API's HTTPRoute filters (an Ingress's annotations and a CLBListener rule's fields translate to
 * the same filters). In the table as {@code {"type": "RequestRedirect", ...}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RequestRedirect.class, name = "RequestRedirect"),
    @JsonSubTypes.Type(value = URLRewrite.class, name = "URLRewrite"),
    @JsonSubTypes.Type(value = RequestHeaderModifier.class, name = "RequestHeaderModifier"),
    @JsonSubTypes.Type(value = Canary.class, name = "Canary"),
    @JsonSubTypes.Type(value = SessionCookie.class, name = "SessionCookie"),
    @JsonSubTypes.Type(value = Retry.class, name = "Retry"),
    @JsonSubTypes.Type(value = ErrorPages.class, name = "ErrorPages"),
    @JsonSubTypes.Type(value = Cors.class, name = "CORS"),
    @JsonSubTypes.Type(value = SourceRanges.class, name = "SourceRanges"),
    @JsonSubTypes.Type(value = LocalRateLimit.class, name = "LocalRateLimit"),
    @JsonSubTypes.Type(value = TunnelLimits.class, name = "TunnelLimits"),
    @JsonSubTypes.Type(value = ConnectionLimit.class, name = "ConnectionLimit"),
    @JsonSubTypes.Type(value = ExternalAuth.class, name = "ExternalAuth"),
    @JsonSubTypes.Type(value = BasicAuth.class, name = "BasicAuth"),
    @JsonSubTypes.Type(value = AccessLogging.class, name = "AccessLog"),
    @JsonSubTypes.Type(value = Tracing.class, name = "Tracing")
})
public sealed interface RouteFilter permits RequestRedirect, URLRewrite, RequestHeaderModifier, Canary, SessionCookie,
    Retry, ErrorPages, Cors, SourceRanges, LocalRateLimit, TunnelLimits, ConnectionLimit, ExternalAuth, BasicAuth,
    AccessLogging, Tracing {
}
