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

{{/* Non-root, read-only root filesystem, no capabilities: the Java process needs only /tmp (native libraries). */}}
{{- define "clb.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
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
Data plane flags for compression, from config.gzip {enabled, minLength, types, level}, or from the
ingress-nginx ConfigMap names in config (ours win when both are set): use-gzip -> --gzip,
gzip-min-length -> --gzip-min-length, gzip-types (space-separated) -> --gzip-types,
gzip-level -> --gzip-level. Unset values keep the data plane's defaults (ingress-nginx's).
*/}}
{{- define "clb.gzipArgs" -}}
{{- $cfg := .Values.config | default dict -}}
{{- $gzip := $cfg.gzip | default dict -}}
{{- $on := false -}}
{{- if hasKey $gzip "enabled" -}}
{{- $on = eq (toString $gzip.enabled) "true" -}}
{{- else -}}
{{- $on = eq (toString (index $cfg "use-gzip" | default "false")) "true" -}}
{{- end -}}
{{- $min := "" -}}
{{- if hasKey $gzip "minLength" -}}
{{- $min = toString (int64 $gzip.minLength) -}}
{{- else if hasKey $cfg "gzip-min-length" -}}
{{- $min = toString (int64 (index $cfg "gzip-min-length")) -}}
{{- end -}}
{{- $types := "" -}}
{{- if $gzip.types -}}
{{- $types = join "," $gzip.types -}}
{{- else if hasKey $cfg "gzip-types" -}}
{{- $types = index $cfg "gzip-types" | trim -}}
{{- end -}}
{{- $level := "" -}}
{{- if hasKey $gzip "level" -}}
{{- $level = toString (int64 $gzip.level) -}}
{{- else if hasKey $cfg "gzip-level" -}}
{{- $level = toString (int64 (index $cfg "gzip-level")) -}}
{{- end -}}
{{- if $on }}
- --gzip=true
{{- end }}
{{- if $min }}
- --gzip-min-length={{ $min }}
{{- end }}
{{- if $types }}
- {{ printf "--gzip-types=%s" $types | quote }}
{{- end }}
{{- if $level }}
- --gzip-level={{ $level }}
{{- end }}
{{- end -}}
