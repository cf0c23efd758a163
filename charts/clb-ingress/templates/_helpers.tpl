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
