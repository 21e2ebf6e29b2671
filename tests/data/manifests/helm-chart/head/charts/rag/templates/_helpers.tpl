{{- define "rag.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rag.probes" -}}
readinessProbe:
  httpGet: {path: /ready, port: http}
livenessProbe:
  httpGet: {path: /live, port: http}
{{- end }}
