#!/bin/sh
# Trains the JDK 25 AOT cache the gateway image ships (docs/PERFORMANCE.md, "Warm start"): the gateway runs with
# -XX:AOTCacheOutput while this script sends it the requests real clients send (chat, messages and responses, plain
# and streamed, embeddings, models, probes), proxied to a second gateway serving its instant simulator, so the
# classes and method profiles of the proxying path are in the cache. At SIGTERM the JVM writes the cache.
# The cache is used only by the same JDK build with the same class path: train where it will run, with the jar at
# its final path. Usage: deploy/aot-train.sh JAR CACHE [SECONDS]   (JAVA, JAVA_OPTS as for the gateway)
set -eu
jar="$1" cache="$2" secs="${3:-30}"
java="${JAVA:-java}"
up_port="${AOT_UPSTREAM_PORT:-18998}" gw_port="${AOT_PORT:-18999}"
log="${TMPDIR:-/tmp}"
rm -f "$cache"

API_HOST=127.0.0.1 API_PORT="$up_port" SIM_TTFT_MS=0 SIM_TOKENS_PER_S=0 LOG_JSON=true \
  "$java" -XX:+UseSerialGC -Xmx128m -jar "$jar" >"$log/aot-upstream.log" 2>&1 &
up=$!
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
API_HOST=127.0.0.1 API_PORT="$gw_port" BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$up_port/v1" \
  API_KEYS=aot-train LOG_JSON=true DRAIN_DELAY_S=0 "$java" ${JAVA_OPTS:-} -XX:AOTCacheOutput="$cache" -jar "$jar" \
  >"$log/aot-train.log" 2>&1 &
gw=$!
trap 'kill "$gw" "$up" 2>/dev/null || true' EXIT

for port in "$up_port" "$gw_port"; do
  i=0
  until curl -fs -o /dev/null "http://127.0.0.1:$port/livez"; do
    i=$((i + 1))
    [ "$i" -lt 300 ] || { echo "aot-train: the gateway on $port did not start" >&2; cat "$log/aot-train.log" >&2; exit 1; }
    sleep 0.1
  done
done

base="http://127.0.0.1:$gw_port"
post() { # PATH BODY
  curl -s -o /dev/null -H 'Authorization: Bearer aot-train' -H 'Content-Type: application/json' \
    -H 'anthropic-version: 2023-06-01' "$base$1" -d "$2" || true
}
chat='{"model":"sim","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]'
end=$(( $(date +%s) + secs ))
n=0
while [ "$(date +%s)" -lt "$end" ]; do
  post /v1/chat/completions "$chat}"
  post /v1/chat/completions "$chat,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"
  post /v1/messages '{"model":"sim","max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}'
  post /v1/messages '{"model":"sim","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hello"}]}'
  post /v1/responses '{"model":"sim","input":"Hello"}'
  post /v1/responses '{"model":"sim","input":"Hello","stream":true}'
  post /v1/embeddings '{"model":"sim","input":"Hello"}'
  post /v1/chat/completions '{"model":"sim","messages":[]}' # a 400, so the error path is trained too
  curl -s -o /dev/null -H 'Authorization: Bearer aot-train' "$base/v1/models" || true
  curl -s -o /dev/null "$base/readyz" || true
  n=$((n + 1))
done

kill -TERM "$gw"
wait "$gw" || true
kill "$up" 2>/dev/null || true
trap - EXIT
[ -s "$cache" ] || { echo "aot-train: no cache written" >&2; tail -20 "$log/aot-train.log" >&2; exit 1; }
echo "aot-train: $n rounds of 10 requests in ${secs} s; $(du -k "$cache" | cut -f1) KiB in $cache"
