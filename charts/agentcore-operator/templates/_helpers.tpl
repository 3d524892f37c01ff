{{- define "agentcore-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "agentcore-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "agentcore-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agentcore-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "agentcore-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "agentcore-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "agentcore-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "agentcore-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Leader election: as set, else on whenever more than one replica runs. */}}
{{- define "agentcore-operator.leaderElection" -}}
{{- if kindIs "bool" .Values.leaderElection.enabled }}
{{- .Values.leaderElection.enabled }}
{{- else }}
{{- gt (int .Values.replicaCount) 1 }}
{{- end }}
{{- end }}

{{/* The metrics port's name says its protocol, as service meshes read it from the name. */}}
{{- define "agentcore-operator.metricsPortName" -}}
{{- if .Values.metrics.secure }}https-metrics{{ else }}http-metrics{{ end }}
{{- end }}

{{/* Where the metrics certificate Secret is mounted, when there is one. */}}
{{- define "agentcore-operator.metricsCertDir" -}}
/etc/agentcore-operator/metrics-certs
{{- end }}

{{/*
What the operator does with the objects it reconciles; the same in a ClusterRole and in each namespace's Role.
The kinds come from _kinds.tpl, which `npm run generate` writes from src/api/kinds.ts.
*/}}
{{- define "agentcore-operator.watchRules" -}}
- apiGroups: ["agentcore.dev"]
  resources: {{ include "agentcore-operator.kindResources" . }}
  verbs: ["list", "watch", "patch"]
- apiGroups: ["agentcore.dev"]
  resources: {{ include "agentcore-operator.kindStatusResources" . }}
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
