{{/* The release's name for every object: <release>-selfreview unless the release is named so. */}}
{{- define "selfreview.fullname" -}}
{{- if contains "selfreview" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-selfreview" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "selfreview.labels" -}}
app.kubernetes.io/name: selfreview
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "fix"). */}}
{{- define "selfreview.selector" -}}
app.kubernetes.io/name: selfreview
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "selfreview.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
The processes: the entrypoint's argument, the Secrets each gets (secrets.<kind>), whether it runs
repository code (the sandbox), whether it needs the data folder, and the BullMQ queues it takes
jobs from (KEDA scales it on their wait lists). The scan worker also runs the trigger queue.
*/}}
{{- define "selfreview.processes" -}}
gateway: { secrets: [gateway], sandbox: false, data: false, queues: [] }
scan: { secrets: [notify], sandbox: true, data: true, queues: [trigger, scan] }
apply: { secrets: [model, notify], sandbox: false, data: true, queues: [apply] }
fix: { secrets: [model, notify], sandbox: true, data: true, queues: [fix] }
publish: { secrets: [publish, notify], sandbox: false, data: true, queues: [publish] }
{{- end -}}

{{- define "selfreview.dataClaim" -}}
{{- .Values.data.existingClaim | default (printf "%s-data" (include "selfreview.fullname" .)) -}}
{{- end -}}

{{- define "selfreview.configMap" -}}
{{- .Values.serverConfig.existingConfigMap | default (printf "%s-server" (include "selfreview.fullname" .)) -}}
{{- end -}}
