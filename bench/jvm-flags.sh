#!/usr/bin/env bash
# JVM flag sets side by side (issue 15, memory): for each set given as an argument, the gateway's idle RSS (VmRSS,
# RssAnon, RssFile after start and ten JSON requests, three starts) and its JSON throughput once warm (wrk c=16 for
# 10 s after 60 s of the same load: on one CPU the JIT needs about a minute). Gateway on CPU $SUT_CPUS, the mock
# upstream and wrk on $LOAD_CPUS. An argument is "ENV=VALUE ...|java flags" or just java flags.
# Example: bench/jvm-flags.sh "-XX:+UseSerialGC -Xmx256m" "MALLOC_ARENA_MAX=2|-XX:+UseSerialGC -Xmx256m -Xms8m"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$ROOT/../shared/bench}"
JAVA="${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}"
JAR="${SLUICE_JAR:-$ROOT/app/target/sluice.jar}"
SUT_CPUS="${SUT_CPUS:-0}" LOAD_CPUS="${LOAD_CPUS:-1}"
MOCK_PORT=18681 GW_PORT=18682
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
taskset -c "$LOAD_CPUS" node "$BENCH_DIR/upstream/mock-upstream.mjs" --host 127.0.0.1 --port $MOCK_PORT >/dev/null 2>&1 &
until curl -fs -o /dev/null "http://127.0.0.1:$MOCK_PORT/health"; do sleep 0.1; done
printf '{"model":"mock","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a haiku about load balancers."}],"max_tokens":64,"temperature":0.2,"stream":false}' >"$WORK/body.json"

start() { # ENVS OPTS -> GW pid in $GW
  # shellcheck disable=SC2086 # word splitting of the flag list is wanted
  env $1 API_PORT=$GW_PORT BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" API_KEYS=bench-key \
    LOG_JSON=true taskset -c "$SUT_CPUS" "$JAVA" $2 -jar "$JAR" >"$WORK/gw.log" 2>&1 &
  GW=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$GW_PORT/livez"; do sleep 0.05; done
}
load() { # SECONDS -> req/s
  WRK_BODY_FILE="$WORK/body.json" taskset -c "$LOAD_CPUS" wrk -t1 -c16 -d"$1s" -H 'Authorization: Bearer bench-key' \
    -s "$BENCH_DIR/lib/wrk-post.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" | grep -o '"rps":[0-9.]*' | cut -d: -f2
}
echo "| flags | idle VmRSS / RssAnon / RssFile (MiB), three starts | JSON req/s, warm | RSS after (MiB) |"
echo "| --- | --- | --: | --: |"
for spec in "$@"; do
  if [[ "$spec" == *"|"* ]]; then envs="${spec%%|*}" opts="${spec#*|}"; else envs="" opts="$spec"; fi
  idle=""
  for i in 1 2 3; do
    start "$envs" "$opts"
    for _ in $(seq 10); do
      curl -s -o /dev/null -H 'Authorization: Bearer bench-key' -H 'content-type: application/json' \
        --data-binary @"$WORK/body.json" "http://127.0.0.1:$GW_PORT/v1/chat/completions"
    done
    sleep 2
    idle="$idle $(awk '/^VmRSS/{v=int($2/1024)} /^RssAnon/{a=int($2/1024)} /^RssFile/{f=int($2/1024)} END{printf "%d/%d/%d", v, a, f}' /proc/$GW/status)"
    [ "$i" = 3 ] || { kill $GW; wait $GW 2>/dev/null || true; }
  done
  load 60 >/dev/null
  rps=$(load 10)
  echo "| \`${spec}\` |${idle} | ${rps} | $(awk '/^VmRSS/{print int($2/1024)}' /proc/$GW/status) |"
  kill $GW; wait $GW 2>/dev/null || true
done
