{{/* Names and labels shared by the templates. */}}
{{- define "clb.name" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "clb.labels" -}}
app.kubernetes.io/name: clb-ingress
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "clb.selector" -}}
app.kubernetes.io/name: clb-ingress
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "clb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "clb.tokenSecret" -}}
{{- .Values.controlChannel.existingSecret | default (printf "%s-token" (include "clb.name" .)) -}}
{{- end -}}

{{/* Non-root, read-only root filesystem, no capabilities: the Java process needs only /tmp (native libraries).
The seccomp profile: the argument's, else the runtime's default (RuntimeDefault). */}}
{{- define "clb.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  {{- toYaml (default (dict "type" "RuntimeDefault") .seccompProfile) | nindent 2 }}
{{- end -}}

{{- define "clb.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
Data plane flags for the client's real address, from config.trustedProxies, forwardedForHeader and
proxyProtocol, or from the ingress-nginx ConfigMap names in config (ours win when both are set):
use-forwarded-headers + proxy-real-ip-cidr (default 0.0.0.0/0, as ingress-nginx) -> --trusted-proxies,
forwarded-for-header -> --forwarded-for-header, use-proxy-protocol -> --proxy-protocol.
*/}}
{{- define "clb.clientAddressArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- $trusted := join "," ($cfg.trustedProxies | default list) -}}
{{- if and (not $trusted) (eq (toString (index $cfg "use-forwarded-headers" | default "false")) "true") -}}
{{- $trusted = (index $cfg "proxy-real-ip-cidr") | default "0.0.0.0/0" | nospace -}}
{{- end -}}
{{- $header := $cfg.forwardedForHeader | default (index $cfg "forwarded-for-header") | default "" -}}
{{- $proxy := or $cfg.proxyProtocol (eq (toString (index $cfg "use-proxy-protocol" | default "false")) "true") -}}
{{- if $trusted }}
- --trusted-proxies={{ $trusted }}
{{- end }}
{{- if $header }}
- --forwarded-for-header={{ $header }}
{{- end }}
{{- if $proxy }}
- --proxy-protocol=true
{{- end }}
{{- end -}}

{{/*
Data plane flags for the status of requests refused by a limit, from config.limitReqStatusCode and
limitConnStatusCode, or from the ingress-nginx ConfigMap names limit-req-status-code and
limit-conn-status-code (ours win when both are set); none when unset: 503, as ingress-nginx.
*/}}
{{- define "clb.limitStatusArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- $req := $cfg.limitReqStatusCode | default (index $cfg "limit-req-status-code") | default "" -}}
{{- $conn := $cfg.limitConnStatusCode | default (index $cfg "limit-conn-status-code") | default "" -}}
{{- if $req }}
- --limit-req-status-code={{ $req }}
{{- end }}
{{- if $conn }}
- --limit-conn-status-code={{ $conn }}
{{- end }}
{{- end -}}

{{/*
Data plane flags for tracing, from config.otlpEndpoint and traceSampleRatio, or from the
ingress-nginx ConfigMap names in config (ours win when both are set): enable-opentelemetry "true"
with otlp-collector-host -> --otlp-endpoint=http://HOST:PORT, PORT otlp-collector-port where 4317
(OTLP/gRPC, ingress-nginx's default) or unset is 4318 (OTLP/HTTP: the data plane exports
HTTP/protobuf); otel-sampler AlwaysOn / AlwaysOff -> --trace-sample-ratio 1.0 / 0.0, else
otel-sampler-ratio -> --trace-sample-ratio. Unset values keep the data plane's defaults (off; 0.01).
*/}}
{{- define "clb.tracingArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- $endpoint := $cfg.otlpEndpoint | default "" -}}
{{- $host := index $cfg "otlp-collector-host" | default "" -}}
{{- if and (not $endpoint) $host (eq (toString (index $cfg "enable-opentelemetry" | default "false")) "true") -}}
{{- $port := toString (index $cfg "otlp-collector-port" | default "4318") -}}
{{- if eq $port "4317" -}}
{{- $port = "4318" -}}
{{- end -}}
{{- $endpoint = printf "http://%s:%s" $host $port -}}
{{- end -}}
{{- $sampler := toString (index $cfg "otel-sampler" | default "") -}}
{{- $ratio := "" -}}
{{- if hasKey $cfg "traceSampleRatio" -}}
{{- $ratio = toString $cfg.traceSampleRatio -}}
{{- else if eq $sampler "AlwaysOn" -}}
{{- $ratio = "1.0" -}}
{{- else if eq $sampler "AlwaysOff" -}}
{{- $ratio = "0.0" -}}
{{- else if hasKey $cfg "otel-sampler-ratio" -}}
{{- $ratio = toString (index $cfg "otel-sampler-ratio") -}}
{{- end -}}
{{- if $endpoint }}
- {{ printf "--otlp-endpoint=%s" $endpoint | quote }}
{{- end }}
{{- if $ratio }}
- --trace-sample-ratio={{ $ratio }}
{{- end }}
{{- end -}}

{{/*
Data plane flag for client request headers whose names hold an underscore, from
config.enableUnderscoresInHeaders or the ingress-nginx ConfigMap name enable-underscores-in-headers
(either turns it on, as proxyProtocol and use-proxy-protocol): --enable-underscores-in-headers=true.
None when both are off: such headers are dropped, as ingress-nginx by default.
*/}}
{{- define "clb.headerArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- if or $cfg.enableUnderscoresInHeaders (eq (toString (index $cfg "enable-underscores-in-headers" | default "false")) "true") }}
- --enable-underscores-in-headers=true
{{- end }}
{{- end -}}

{{/*
Data plane flags for compression: gzip from config.gzip {enabled, minLength, types, level} or the
ingress-nginx ConfigMap names in config (ours win when both are set): use-gzip -> --gzip,
gzip-min-length -> --gzip-min-length, gzip-types (space-separated) -> --gzip-types, gzip-level ->
--gzip-level; Brotli the same way from config.brotli or enable-brotli -> --enable-brotli,
brotli-min-length, brotli-types, brotli-level. Unset values keep the data plane's defaults
(ingress-nginx's).
*/}}
{{- define "clb.gzipArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- include "clb.codingArgs" (dict "cfg" $cfg "ours" ($cfg.gzip | default dict) "name" "gzip" "on" "use-gzip" "flag" "--gzip") }}
{{- include "clb.codingArgs" (dict "cfg" $cfg "ours" ($cfg.brotli | default dict) "name" "brotli" "on" "enable-brotli" "flag" "--enable-brotli") }}
{{- end -}}

{{/*
One content coding's flags: .ours {enabled, minLength, types, level} or, for each unset, the
ingress-nginx names .on, <.name>-min-length, <.name>-types, <.name>-level in .cfg; the flags
.flag, --<.name>-min-length, --<.name>-types, --<.name>-level.
*/}}
{{- define "clb.codingArgs" -}}
{{- $cfg := .cfg -}}
{{- $ours := .ours -}}
{{- $on := false -}}
{{- if hasKey $ours "enabled" -}}
{{- $on = eq (toString $ours.enabled) "true" -}}
{{- else -}}
{{- $on = eq (toString (index $cfg .on | default "false")) "true" -}}
{{- end -}}
{{- $min := "" -}}
{{- if hasKey $ours "minLength" -}}
{{- $min = toString (int64 $ours.minLength) -}}
{{- else if hasKey $cfg (printf "%s-min-length" .name) -}}
{{- $min = toString (int64 (index $cfg (printf "%s-min-length" .name))) -}}
{{- end -}}
{{- $types := "" -}}
{{- if $ours.types -}}
{{- $types = join "," $ours.types -}}
{{- else if hasKey $cfg (printf "%s-types" .name) -}}
{{- $types = index $cfg (printf "%s-types" .name) | trim -}}
{{- end -}}
{{- $level := "" -}}
{{- if hasKey $ours "level" -}}
{{- $level = toString (int64 $ours.level) -}}
{{- else if hasKey $cfg (printf "%s-level" .name) -}}
{{- $level = toString (int64 (index $cfg (printf "%s-level" .name))) -}}
{{- end -}}
{{- if $on }}
- {{ .flag }}=true
{{- end }}
{{- if $min }}
- --{{ .name }}-min-length={{ $min }}
{{- end }}
{{- if $types }}
- {{ printf "--%s-types=%s" .name $types | quote }}
{{- end }}
{{- if $level }}
- --{{ .name }}-level={{ $level }}
{{- end }}
{{- end -}}

{{/*
Data plane flag for the access log, from config.accessLog (json, text, off), or from the
ingress-nginx ConfigMap name disable-access-log ("true" -> off; ours wins when both are set);
none when unset: json, as ingress-nginx logs by default.
*/}}
{{- define "clb.accessLogArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- $format := $cfg.accessLog | default "" -}}
{{- if and (not $format) (eq (toString (index $cfg "disable-access-log" | default "false")) "true") -}}
{{- $format = "off" -}}
{{- end -}}
{{- if $format }}
- --access-log={{ $format }}
{{- end }}
{{- end -}}
