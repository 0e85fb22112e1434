#!/usr/bin/env bash
# Warm start, measured: for a gateway started fresh (no cache, then with the JDK 25 AOT cache deploy/aot-train.sh
# makes), the time from exec to the first 200 of a chat completion, then JSON throughput (wrk, c=16) in each of the
# first five seconds and after 30 s of traffic ("steady"). Layout as bench/run-sluice.sh: gateway on CPU
# $SUT_CPUS, the mock upstream and wrk on $LOAD_CPUS.
# Env: SLUICE_JAR (default app/target/sluice.jar), JAVA, SLUICE_JAVA_OPTS, TRAIN_S (30), BENCH_DIR,
#      MODES (default "none aot": without and with the cache).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$ROOT/../shared/bench}"
JAVA="${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}"
OPTS="${SLUICE_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m}"
JAR="$(cd "$(dirname "${SLUICE_JAR:-$ROOT/app/target/sluice.jar}")" && pwd)/$(basename "${SLUICE_JAR:-sluice.jar}")"
SUT_CPUS="${SUT_CPUS:-0}" LOAD_CPUS="${LOAD_CPUS:-1}"
WORK="$(mktemp -d)"
CACHE="$WORK/sluice.aot"
MOCK_PORT=18381 GW_PORT=18382
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

taskset -c "$LOAD_CPUS" node "$BENCH_DIR/upstream/mock-upstream.mjs" --host 127.0.0.1 --port $MOCK_PORT \
  --chunks 20 --delay-ms 20 >"$WORK/mock.log" 2>&1 &
until curl -fs -o /dev/null "http://127.0.0.1:$MOCK_PORT/health"; do sleep 0.1; done
BODY="$WORK/body.json"
printf '{"model":"m","messages":[{"role":"user","content":"Write a haiku about load balancers."}],"max_tokens":64}' >"$BODY"

MODES="${MODES:-none aot}"
if [[ " $MODES " == *" aot "* ]]; then
  echo "training the AOT cache (${TRAIN_S:-30} s)..." >&2
  JAVA="$JAVA" JAVA_OPTS="$OPTS" taskset -c "$SUT_CPUS" "$ROOT/deploy/aot-train.sh" "$JAR" "$CACHE" "${TRAIN_S:-30}" >&2
fi

wrk_rps() { # SECONDS -> req/s
  WRK_BODY_FILE="$BODY" taskset -c "$LOAD_CPUS" wrk -t1 -c16 -d"$1"s --timeout 5s -s "$BENCH_DIR/lib/wrk-post.lua" \
    -H "Authorization: Bearer bench-key" "http://127.0.0.1:$GW_PORT/v1/chat/completions" 2>/dev/null \
    | awk '/Requests\/sec/ {printf "%d", $2}'
}

run() { # LABEL EXTRA_OPTS...
  local label="$1"; shift
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  API_HOST=127.0.0.1 API_PORT=$GW_PORT BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" \
    API_KEYS=bench-key LOG_JSON=true taskset -c "$SUT_CPUS" "$JAVA" $OPTS "$@" -jar "$JAR" >"$WORK/$label.log" 2>&1 &
  local pid=$!
  until curl -fs -o /dev/null -H "Authorization: Bearer bench-key" -H 'Content-Type: application/json' \
      "http://127.0.0.1:$GW_PORT/v1/chat/completions" -d @"$BODY"; do sleep 0.005; done
  t1=$(date +%s%N)
  local s1 s2 s3 s4 s5 steady
  s1=$(wrk_rps 1); s2=$(wrk_rps 1); s3=$(wrk_rps 1); s4=$(wrk_rps 1); s5=$(wrk_rps 1)
  wrk_rps 25 >/dev/null
  steady=$(wrk_rps 5)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local first5=$(( (s1 + s2 + s3 + s4 + s5) / 5 ))
  printf '| %s | %d | %s / %s / %s / %s / %s | %s | %s | %d %% |\n' "$label" $(( (t1 - t0) / 1000000 )) \
    "$s1" "$s2" "$s3" "$s4" "$s5" "$first5" "$steady" $(( 100 * first5 / (steady > 0 ? steady : 1) ))
}

echo "| start | exec to first 200 (ms) | req/s in seconds 1 / 2 / 3 / 4 / 5 | mean of 1–5 | steady req/s | 1–5 vs steady |"
echo "|---|--:|--:|--:|--:|--:|"
for mode in $MODES; do
  case "$mode" in
    none) run "no cache" ;;
    aot) run "AOT cache" -XX:AOTCache="$CACHE" ;;
  esac
done
echo
echo "_$(date -u +%FT%TZ) · $(nproc) vCPU · $("$JAVA" -version 2>&1 | head -1) · $OPTS${CACHE:+ · AOT cache $(du -k "$CACHE" 2>/dev/null | cut -f1) KiB}_"
