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
# one curl process, 8 requests at a time on kept-alive connections: enough traffic in a few seconds for the JIT's
# method profiles (the part of the cache that shortens warm-up) to look like production's
cfg="$log/aot-train.curl"
: >"$cfg"
add() { # PATH BODY
  printf 'url = "%s%s"\noutput = "/dev/null"\nheader = "Authorization: Bearer aot-train"\nheader = "Content-Type: application/json"\nheader = "anthropic-version: 2023-06-01"\ndata = %s\nnext\n' \
    "$base" "$1" "$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')" >>"$cfg"
}
chat='{"model":"sim","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}]'
i=0
while [ "$i" -lt 20 ]; do
  add /v1/chat/completions "$chat}"
  add /v1/chat/completions "$chat,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"
  add /v1/messages '{"model":"sim","max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}'
  add /v1/messages '{"model":"sim","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hello"}]}'
  add /v1/responses '{"model":"sim","input":"Hello"}'
  add /v1/responses '{"model":"sim","input":"Hello","stream":true}'
  add /v1/embeddings '{"model":"sim","input":"Hello"}'
  add /v1/chat/completions '{"model":"sim","messages":[]}' # a 400, so the error path is trained too
  i=$((i + 1))
done
sed -i '$ d' "$cfg" # no "next" after the last request
end=$(( $(date +%s) + secs ))
n=0
while [ "$(date +%s)" -lt "$end" ]; do
  curl -s -Z --parallel-max 8 -K "$cfg" >/dev/null 2>&1 || true
  curl -s -o /dev/null -H 'Authorization: Bearer aot-train' "$base/v1/models" || true
  curl -s -o /dev/null "$base/readyz" || true
  n=$((n + 160))
done

kill -TERM "$gw"
wait "$gw" || true
kill "$up" 2>/dev/null || true
trap - EXIT
[ -s "$cache" ] || { echo "aot-train: no cache written" >&2; tail -20 "$log/aot-train.log" >&2; exit 1; }
echo "aot-train: $n requests in ${secs} s; $(du -k "$cache" | cut -f1) KiB in $cache"
