#!/usr/bin/env bash
# Profiles one hot path of a warm gateway with JFR and prints where its CPU goes.
# Usage: bench/profile.sh sse|json [OUT.jfr]
#   sse:  OpenAI streams of 50 chunks with no delay through the pass-through (the SSE relay ceiling's traffic)
#   json: non-streaming chat completions (the JSON ceiling's traffic)
# Layout as bench/run-sluice.sh: gateway on CPU $SUT_CPUS with the shipped flags, the shared mock upstream and wrk
# on $LOAD_CPUS. WARM_S (60) of the same traffic first, so C2 has compiled the path; then DURATION (20) s measured
# with JFR's "profile" settings. Prints req/s, the gateway's CPU per request, the top frames by own time and by
# inclusive time (bench/lib/jfr-top.py; run it on the .jfr again with a frame name to see what is under it).
# Env: API (openai; anthropic, responses: the same traffic in that dialect, translated), SLUICE_JAR, JAVA, SLUICE_JAVA_OPTS, BENCH_DIR, WARM_S, DURATION, CONNS (64), SUT_CPUS (0), LOAD_CPUS (1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
. "$ROOT/bench/lib/sluice-bench.sh"
MODE="${1:?usage: bench/profile.sh sse|json [OUT.jfr]}"
WORK="$(mktemp -d)"
OUT_JFR="${2:-$WORK/$MODE.jfr}"
CONNS="${CONNS:-64}"
MOCK_PORT=18481 GW_PORT=18482
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

taskset -c "$LOAD_CPUS" node "$BENCH_DIR/upstream/mock-upstream.mjs" --host 127.0.0.1 --port $MOCK_PORT \
  >"$WORK/mock.log" 2>&1 &
until curl -fs -o /dev/null "http://127.0.0.1:$MOCK_PORT/health"; do sleep 0.1; done
API="${API:-openai}"
EPATH="$(sluice_path "$API")"
case "$MODE" in
  sse) sluice_body "$API" true mock-n50-d0 >"$WORK/body.json" ;;
  json) sluice_body "$API" false mock >"$WORK/body.json" ;;
  *) echo "mode: sse or json" >&2; exit 2 ;;
esac
API_PORT=$GW_PORT BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" API_KEYS=bench-key LOG_JSON=true \
  taskset -c "$SUT_CPUS" "$JAVA" $SLUICE_JAVA_OPTS -jar "$JAR" >"$WORK/gateway.log" 2>&1 &
GW=$!
until curl -fs -o /dev/null "http://127.0.0.1:$GW_PORT/livez"; do sleep 0.2; done
load() { # SECONDS
  WRK_BODY_FILE="$WORK/body.json" taskset -c "$LOAD_CPUS" wrk -t1 -c"$CONNS" -d"$1s" --timeout 10s \
    -s "$BENCH_DIR/lib/wrk-post.lua" -H 'Authorization: Bearer bench-key' \
    "http://127.0.0.1:$GW_PORT$EPATH" | awk '/Requests\/sec|Non-2xx/'
}
ticks() { awk '{print $14 + $15}' "/proc/$GW/stat"; }
echo "warm-up ${WARM_S:-60} s: $(load "${WARM_S:-60}")"
"$JAVA_HOME/bin/jcmd" $GW JFR.start name=profile settings=profile filename="$OUT_JFR" >/dev/null
c0=$(ticks)
result=$(load "${DURATION:-20}")
c1=$(ticks)
"$JAVA_HOME/bin/jcmd" $GW JFR.stop name=profile >/dev/null
rps=$(echo "$result" | awk '/Requests\/sec/{print $2}')
echo "measured ${DURATION:-20} s: $result"
awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v d="${DURATION:-20}" -v r="$rps" \
  'BEGIN { printf "gateway CPU: %.0f %% of a core, %.1f us per request\n", 100 * t / hz / d, 1e6 * t / hz / d / r }'
echo "recording: $OUT_JFR"
python3 "$ROOT/bench/lib/jfr-top.py" "$OUT_JFR"
