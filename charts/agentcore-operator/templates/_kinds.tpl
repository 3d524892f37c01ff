{{/* Generated from src/api by `agentcore-operator generate`; do not edit. */}}

{{/* Every kind of the agentcore.dev group, as an RBAC resource. */}}
{{- define "agentcore-operator.kindResources" -}}
["agentruntimes", "memories", "gateways", "gatewaytargets", "workloadidentities", "oauth2credentialproviders", "apikeycredentialproviders"]
{{- end }}

{{/* The status subresource of every kind. */}}
{{- define "agentcore-operator.kindStatusResources" -}}
["agentruntimes/status", "memories/status", "gateways/status", "gatewaytargets/status", "workloadidentities/status", "oauth2credentialproviders/status", "apikeycredentialproviders/status"]
{{- end }}
