{{/* Names: 63 characters at most, the DNS label limit Kubernetes puts on most names. */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sluice.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* What Services, the PodDisruptionBudget, the NetworkPolicy and the ServiceMonitor select pods
     by. Never add a label that changes between releases: a Deployment's selector is immutable. */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ include "sluice.chart" . }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: sluice
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sluice.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where the config file is mounted; SLUICE_CONFIG points at it. */}}
{{- define "sluice.configDir" -}}/etc/sluice{{- end }}
{{- define "sluice.configPath" -}}{{ include "sluice.configDir" . }}/sluice.yaml{{- end }}

{{/* True (non-empty) when the gateway gets a Redis URL from the chart or from its config file. */}}
{{- define "sluice.redisConfigured" -}}
{{- $gs := get (.Values.config.file | default dict) "general_settings" | default dict }}
{{- if or .Values.redis.url .Values.redis.existingSecret (get $gs "redis_url") }}true{{ end }}
{{- end }}

{{/* Pods at most: what REDIS_REPLICAS_HINT defaults to and what the Redis rule checks. */}}
{{- define "sluice.maxReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{- define "sluice.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add .Values.drain.preStopSleepSeconds .Values.drain.timeoutSeconds 10 }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* The config file as mounted: config.file, with general_settings.master_key pointing at the
     Secret-fed SLUICE_MASTER_KEY when auth.masterKeyKey is set. */}}
{{- define "sluice.configFile" -}}
{{- $file := deepCopy (.Values.config.file | default dict) }}
{{- if .Values.auth.masterKeyKey }}
{{- $gs := get $file "general_settings" | default dict }}
{{- $_ := set $gs "master_key" "os.environ/SLUICE_MASTER_KEY" }}
{{- $_ := set $file "general_settings" $gs }}
{{- end }}
{{- toYaml $file }}
{{- end }}

{{/* JAVA_OPTS: the image's flags (deploy/Dockerfile), with the heap sized from the memory limit
     instead of the image's fixed -Xmx256m. */}}
{{- define "sluice.javaOpts" -}}
{{- $opts := list "-XX:+UseSerialGC" (printf "-XX:MaxRAMPercentage=%v" .Values.jvm.maxRAMPercentage) "-XX:-UsePerfData" "-XX:ErrorFile=/tmp/hs_err_pid%p.log" "-XX:HeapDumpPath=/tmp" "-Djava.io.tmpdir=/tmp" }}
{{- if .Values.jvm.extraOpts }}{{ $opts = append $opts .Values.jvm.extraOpts }}{{ end }}
{{- join " " $opts }}
{{- end }}
