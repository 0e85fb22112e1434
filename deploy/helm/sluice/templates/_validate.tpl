{{/*
Rules that span several values, which values.schema.json cannot express. Each failure says what
is wrong and what to do instead, and never quotes a value that could be a credential: `helm`
prints the message to terminals and CI logs.
*/}}
{{- define "sluice.validate" -}}
{{- $v := .Values }}

{{- /* More than one replica without Redis: every replica would count limits on its own. */}}
{{- $max := int (include "sluice.maxReplicas" .) }}
{{- if and (gt $max 1) (not (include "sluice.redisConfigured" .)) (not $v.redis.allowPerReplicaLimits) }}
{{- $what := ternary (printf "autoscaling.maxReplicas=%d" $max) (printf "replicaCount=%d" $max) $v.autoscaling.enabled }}
{{- fail (printf "%s needs Redis: without it each replica keeps its own rate limits, key quotas, ejections and response cache, so a caller gets up to %d times its limit and cache hits depend on which pod answers. Set redis.url or redis.existingSecret (docs/KUBERNETES.md, \"Scaling with Redis\"), or set redis.allowPerReplicaLimits=true to accept per-replica limits." $what $max) }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas=%d is above autoscaling.maxReplicas=%d" (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- end }}

{{- /* Kubernetes kills the container at the end of the grace period, drained or not. */}}
{{- $grace := int (include "sluice.terminationGracePeriodSeconds" .) }}
{{- $needed := add $v.drain.preStopSleepSeconds $v.drain.timeoutSeconds }}
{{- if lt $grace (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds=%d is shorter than drain.preStopSleepSeconds + drain.timeoutSeconds = %d: Kubernetes would kill streams the gateway is still draining. Raise it, or leave it null to get %d." $grace (int $needed) (int (add $needed 10))) }}
{{- end }}

{{- /* Credentials come from Secrets only. */}}
{{- $owned := dict "API_HOST" "set by the chart (0.0.0.0)" "API_PORT" "set by the chart (8000; service.port is the Service's port)" "JAVA_OPTS" "set by the chart; use jvm.maxRAMPercentage and jvm.extraOpts" "DRAIN_TIMEOUT_S" "set by the chart; use drain.timeoutSeconds" "SLUICE_CONFIG" "set by the chart; use config.file" "REDIS_URL" "set by the chart; use redis.url or redis.existingSecret" "REDIS_REPLICAS_HINT" "set by the chart; use redis.replicasHint" }}
{{- $credential := "(^|_)(KEY|KEYS|TOKEN|PASSWORD|SECRET|CREDENTIALS)$" }}
{{- range $name, $_ := $v.env }}
{{- if hasKey $owned $name }}
{{- fail (printf "env.%s is %s" $name (get $owned $name)) }}
{{- end }}
{{- if regexMatch $credential (upper $name) }}
{{- fail (printf "env.%s looks like a credential, and values end up in the Deployment for anyone with read access to see. Put it in a Secret and list it under extraSecretEnv (name: %s, secretName: ..., key: ...)." $name $name) }}
{{- end }}
{{- end }}
{{- $secretEnv := dict }}
{{- if $v.auth.existingSecret }}{{ $_ := set $secretEnv "API_KEYS" true }}{{ end }}
{{- if $v.auth.masterKeyKey }}
{{- if not $v.auth.existingSecret }}
{{- fail "auth.masterKeyKey is set but auth.existingSecret is empty: name the Secret that holds the master key" }}
{{- end }}
{{- if not $v.config.file }}
{{- fail "auth.masterKeyKey needs config.file: the master key is a config-file setting (general_settings.master_key). Without a config file, add the key to the API_KEYS entry of auth.existingSecret instead." }}
{{- end }}
{{- $_ := set $secretEnv "SLUICE_MASTER_KEY" true }}
{{- end }}
{{- range $i, $e := $v.extraSecretEnv }}
{{- if or (hasKey $owned $e.name) (hasKey $secretEnv $e.name) (hasKey $v.env $e.name) }}
{{- fail (printf "extraSecretEnv[%d].name=%s is already set (by the chart, auth, env or an earlier entry)" $i $e.name) }}
{{- end }}
{{- $_ := set $secretEnv $e.name true }}
{{- end }}

{{- if $v.redis.url }}
{{- if regexMatch "^[a-zA-Z]+://[^/@]*@" $v.redis.url }}
{{- fail "redis.url carries credentials (user:password@), which would be written into the Deployment. Put the whole URL in a Secret and set redis.existingSecret (and redis.existingSecretKey) instead." }}
{{- end }}
{{- end }}

{{- /* The config file: every credential in it is a reference to a Secret-fed variable. */}}
{{- $file := $v.config.file | default dict }}
{{- $refs := list }}
{{- $gs := get $file "general_settings" | default dict }}
{{- if and $v.auth.masterKeyKey (hasKey $gs "master_key") }}
{{- fail "config.file.general_settings.master_key is set and so is auth.masterKeyKey: keep only auth.masterKeyKey (the chart points master_key at it)" }}
{{- end }}
{{- if hasKey $gs "master_key" }}{{ $refs = append $refs (list "config.file.general_settings.master_key" (get $gs "master_key")) }}{{ end }}
{{- range $i, $k := (get $file "keys" | default list) }}
{{- if and (kindIs "map" $k) (hasKey $k "key") }}{{ $refs = append $refs (list (printf "config.file.keys[%d].key" $i) (get $k "key")) }}{{ end }}
{{- end }}
{{- range $i, $m := (get $file "model_list" | default list) }}
{{- if kindIs "map" $m }}
{{- range $section := list "params" "litellm_params" }}
{{- $p := get $m $section | default dict }}
{{- if and (kindIs "map" $p) (hasKey $p "api_key") }}{{ $refs = append $refs (list (printf "config.file.model_list[%d].%s.api_key" $i $section) (get $p "api_key")) }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- range $ref := $refs }}
{{- $path := index $ref 0 }}
{{- $val := toString (index $ref 1) }}
{{- $var := "" }}
{{- if regexMatch "^os\\.environ/[A-Za-z_][A-Za-z0-9_]*$" $val }}{{ $var = trimPrefix "os.environ/" $val }}{{ end }}
{{- if regexMatch "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$" $val }}{{ $var = trimSuffix "}" (trimPrefix "${" $val) }}{{ end }}
{{- if not $var }}
{{- fail (printf "%s is written inline; a credential in values ends up in a ConfigMap anyone with read access can see. Write os.environ/SOME_VAR there and fill SOME_VAR from a Secret with extraSecretEnv." $path) }}
{{- end }}
{{- if not (hasKey $secretEnv $var) }}
{{- fail (printf "%s refers to %s, which no Secret provides: add it to extraSecretEnv (name: %s, secretName: ..., key: ...)." $path $var $var) }}
{{- end }}
{{- end }}
{{- with get $gs "redis_url" }}
{{- if and (regexMatch "^[a-zA-Z]+://[^/@]*@" (toString .)) }}
{{- fail "config.file.general_settings.redis_url carries credentials inline: use redis.existingSecret instead" }}
{{- end }}
{{- end }}

{{- /* Observability and network rules that would silently do nothing. */}}
{{- if and $v.metrics.serviceMonitor.enabled (hasKey $v.env "METRICS_ENABLED") (has (lower (toString (get $v.env "METRICS_ENABLED"))) (list "false" "0" "no" "off")) }}
{{- fail "metrics.serviceMonitor.enabled with env.METRICS_ENABLED=false: /metrics would answer 404 to every scrape" }}
{{- end }}
{{- if $v.networkPolicy.enabled }}
{{- if and (include "sluice.redisConfigured" .) (not $v.networkPolicy.redis.to) }}
{{- fail "networkPolicy.enabled with Redis configured, but networkPolicy.redis.to is empty: the gateway could not reach Redis. Select Redis's pods (podSelector/namespaceSelector) or its address (ipBlock) there." }}
{{- end }}
{{- if and (not $v.networkPolicy.runtimes) (not $v.networkPolicy.extraEgress) (include "sluice.usesRuntimes" .) }}
{{- fail "networkPolicy.enabled, but networkPolicy.runtimes and networkPolicy.extraEgress are empty while the gateway has runtimes to call: it could reach none of them. List them under networkPolicy.runtimes (examples/kubernetes/ shows how)." }}
{{- end }}
{{- end }}
{{- end }}

{{/* Non-empty when the gateway calls something other than its built-in simulator. */}}
{{- define "sluice.usesRuntimes" -}}
{{- $file := .Values.config.file | default dict }}
{{- if $file }}
{{- range $m := (get $file "model_list" | default list) }}
{{- if kindIs "map" $m }}
{{- $p := get $m "params" | default (get $m "litellm_params") | default dict }}
{{- $provider := lower (first (splitList "/" (toString (get $p "model")))) }}
{{- if ne $provider "sim" }}true{{ end }}
{{- end }}
{{- end }}
{{- else }}
{{- if ne (lower (toString (get .Values.env "BACKEND_KIND" | default "sim"))) "sim" }}true{{ end }}
{{- end }}
{{- end }}
