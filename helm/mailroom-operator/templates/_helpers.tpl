{{- define "mailroom-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mailroom-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mailroom-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- /* never the namespace's "default" account: every pod using it would get the operator's ClusterRole */ -}}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* app.kubernetes.io/name is what the MailRoom's Redis NetworkPolicy admits: keep it */}}
{{- define "mailroom-operator.selectorLabels" -}}
app.kubernetes.io/name: mailroom-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mailroom-operator.labels" -}}
{{ include "mailroom-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
