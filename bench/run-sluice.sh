#!/usr/bin/env bash
# Side-by-side benchmark of Sluice against the shared yardstick (../shared/bench), in one go:
#   direct   : load generator -> mock upstream
#   nginx    : load generator -> nginx proxy_pass -> mock upstream
#   sluice   : load generator -> Sluice (OpenAI pass-through) -> mock upstream
#   sluice-anthropic : the same suite through /v1/messages (Anthropic shapes, translated to OpenAI upstream)
#   sluice-responses : the same suite through /v1/responses (Responses API shapes, translated to OpenAI upstream;
#                      the shared harness is copied and given --api responses by bench/lib/add-responses-api.py)
# plus the JSON ceiling pass against the static nginx upstream for direct, nginx and Sluice.
#
# Layout on a 2-core box: proxies under test pinned to CPU $SUT_CPUS (0); wrk, the SSE probe and the
# upstreams on CPU $LOAD_CPUS (1). Results: /tmp/llmgw-bench/results/sluice-<ts>/report.md
# Env: BENCH_DIR (default ../shared/bench), DURATION (10), WARMUP (10), CONNS (64), PREWARM_S (30: per path and API,
#      before the harness; 0: off), JAVA (java of JDK 25),
#      SLUICE_JAVA_OPTS (default "-XX:+UseSerialGC -Xmx256m"), SKIP_BUILD=1, SLUICE_JAR (default app/target/sluice.jar:
#      point it at another build to compare two versions on the same box), APIS (default "openai anthropic responses").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bench/lib/sluice-bench.sh"
[ -x "$BENCH_DIR/bench-gateway.sh" ] || { echo "shared bench not found at $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }
. "$BENCH_DIR/lib/common.sh"

DURATION="${DURATION:-10}" WARMUP="${WARMUP:-10}" CONNS="${CONNS:-64}"
APIS="${APIS:-openai anthropic responses}"
if [ "${SKIP_BUILD:-0}" != 1 ] && [ -z "${SLUICE_JAR:-}" ]; then
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi
[ -f "$JAR" ] || die "no $JAR: build with ./mvnw package -DskipTests"

TS="$(date +%Y%m%d-%H%M%S)"
RES="$BENCH_SCRATCH/results/sluice-$TS"
mkdir -p "$RES"
MOCK_PORT=18081 STATIC_PORT=18080 NGX_PORT=18090 NGX_STATIC_PORT=18092 GW_PORT=18100 GW_STATIC_PORT=18101
GW_PID="" GWS_PID=""

cleanup() {
  [ -z "$GW_PID" ] || kill "$GW_PID" 2>/dev/null || true
  [ -z "$GWS_PID" ] || kill "$GWS_PID" 2>/dev/null || true
  stop_pidfile nginx-proxy || true
  "$BENCH_DIR/run-upstreams.sh" stop || true
}
trap cleanup EXIT

UPSTREAM_CPUS="$LOAD_CPUS" MOCK_PORT=$MOCK_PORT STATIC_PORT=$STATIC_PORT "$BENCH_DIR/run-upstreams.sh" start
start_nginx nginx-proxy "$BENCH_DIR/proxies/nginx-proxy.conf.tmpl" "$SUT_CPUS" \
  "PORT=$NGX_PORT" "PORT_STATIC=$NGX_STATIC_PORT" "UPSTREAM_PORT=$MOCK_PORT" "STATIC_PORT=$STATIC_PORT"
wait_http "http://127.0.0.1:$NGX_PORT/health" 10 || die "nginx proxy not answering"

start_sluice() { # PORT UPSTREAM_PORT LOGFILE [ARGS...] -> prints PID
  local port="$1" upstream="$2" logfile="$3"; shift 3
  API_PORT="$port" BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$upstream/v1" API_KEYS=bench-key LOG_JSON=true \
    taskset -c "$SUT_CPUS" "$JAVA" $SLUICE_JAVA_OPTS -jar "$JAR" "$@" >"$logfile" 2>&1 &
  echo $!
}
GW_PID=$(start_sluice $GW_PORT $MOCK_PORT "$RES/sluice-server.log")
# The static upstream answers every request with the same JSON, streams included, and the harness always warms up
# with streams: each is a 502 (a JSON answer to a streamed request) and, with the default allowed_fails, the only
# deployment would be ejected before the JSON ceiling pass starts, which would then measure fast 503s.
cat >"$RES/static.yaml" <<YAML
model_list:
  - model_name: mock
    litellm_params: {model: hosted_vllm/mock, api_base: "http://127.0.0.1:$STATIC_PORT/v1"}
general_settings: {allowed_fails: 1000, cooldown: 1ms}
YAML
GWS_PID=$(start_sluice $GW_STATIC_PORT $STATIC_PORT "$RES/sluice-static-server.log" -c "$RES/static.yaml")
wait_http "http://127.0.0.1:$GW_PORT/livez" 20 || die "sluice not answering"
wait_http "http://127.0.0.1:$GW_STATIC_PORT/livez" 20 || die "sluice (static) not answering"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) vCPU $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
  echo "layout: proxy-under-test cpus=$SUT_CPUS; wrk/probe + upstreams cpus=$LOAD_CPUS"
  echo "java: $("$JAVA" -version 2>&1 | head -1); opts: $SLUICE_JAVA_OPTS"
  echo "pre-warm: ${PREWARM_S:-30} s of JSON and of streams per API before the harness (PREWARM_S)"
  echo "sluice: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} | tee "$RES/environment.txt"

# the Responses API shape lives in a patched scratch copy of the harness (../shared is not ours to change)
HARNESS="$RES/harness"
cp -r "$BENCH_DIR" "$HARNESS" && chmod -R u+w "$HARNESS"
python3 "$ROOT/bench/lib/add-responses-api.py" "$HARNESS" >/dev/null

B=("$BENCH_DIR/bench-gateway.sh" --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNS" --load-cpus "$LOAD_CPUS")
AUTH=(-H 'Authorization: Bearer bench-key')
"${B[@]}" --label direct --out "$RES/direct" --pid-file "$RUN_DIR/mock.pid" "http://127.0.0.1:$MOCK_PORT" >"$RES/direct.log" 2>&1
"${B[@]}" --label nginx --out "$RES/nginx" --pid-file "$RUN_DIR/nginx-proxy.pid" "http://127.0.0.1:$NGX_PORT" >"$RES/nginx.log" 2>&1
# Steady state, not the JIT: on one CPU, C2 needs about a minute of a code path's traffic before that path is fast,
# and the harness's own warm-up (WARMUP s of JSON, then 50 short streams) leaves the stream paths mid-compilation:
# its SSE saturation pass measured 831 / 1,328 / 2,554 streams/s in three 8 s windows one after the other. Each path
# the run measures gets PREWARM_S of its JSON and stream traffic first (0 turns it off); a fresh instance's first
# seconds are what bench/warm-start.sh measures.
prewarm() { # API
  local api="$1" stream f
  for stream in false true; do
    f="$RES/prewarm-$api-$stream.json"
    sluice_body "$api" "$stream" "mock$([ $stream = true ] && echo -n50-d0)" >"$f"
    WRK_BODY_FILE="$f" taskset -c "$LOAD_CPUS" wrk -t1 -c32 -d"${PREWARM_S}s" --timeout 10s -s "$BENCH_DIR/lib/wrk-post.lua" \
      -H 'Authorization: Bearer bench-key' "http://127.0.0.1:$GW_PORT$(sluice_path "$api")" >/dev/null 2>&1 || true
  done
}
PREWARM_S="${PREWARM_S:-30}"
if [ "$PREWARM_S" -gt 0 ]; then
  for api in $APIS; do
    prewarm "$api"
  done
  log "pre-warmed each API's JSON and stream paths for ${PREWARM_S} s each"
fi

SUITES=()
for api in $APIS; do
  case "$api" in
    openai) label=sluice; H=("${B[@]}") ;;
    anthropic) label=sluice-anthropic; H=("${B[@]}" --api anthropic) ;;
    responses) label=sluice-responses; H=("$HARNESS/bench-gateway.sh" "${B[@]:1}" --api responses) ;;
    *) die "APIS: unknown api '$api' (openai, anthropic, responses)" ;;
  esac
  "${H[@]}" --label "$label" --out "$RES/$label" --pid "$GW_PID" "${AUTH[@]}" "http://127.0.0.1:$GW_PORT" \
    >"$RES/$label.log" 2>&1
  SUITES+=("$RES/$label")
done

# the static instance is a JVM of its own: it gets the same warm-up as the main one (5 s measured it mid-JIT)
C=("${B[@]}" --tests json-c1,json-sat)
if [ "$PREWARM_S" -gt 0 ]; then
  WRK_BODY_FILE="$RES/prewarm-openai-false.json" taskset -c "$LOAD_CPUS" wrk -t1 -c32 -d"$((PREWARM_S * 2))s" \
    --timeout 10s -s "$BENCH_DIR/lib/wrk-post.lua" -H 'Authorization: Bearer bench-key' \
    "http://127.0.0.1:$GW_STATIC_PORT/v1/chat/completions" >/dev/null 2>&1 || true
fi
"${C[@]}" --label direct-static --out "$RES/direct-static" --pid-file "$RUN_DIR/static.pid" "http://127.0.0.1:$STATIC_PORT" >"$RES/direct-static.log" 2>&1
"${C[@]}" --label nginx-static --out "$RES/nginx-static" --pid-file "$RUN_DIR/nginx-proxy.pid" "http://127.0.0.1:$NGX_STATIC_PORT" >"$RES/nginx-static.log" 2>&1
"${C[@]}" --label sluice-static --out "$RES/sluice-static" --pid "$GWS_PID" "${AUTH[@]}" "http://127.0.0.1:$GW_STATIC_PORT" >"$RES/sluice-static.log" 2>&1

{
  echo "### Upstream = mock (node), full suite"
  echo
  node "$BENCH_DIR/lib/report.mjs" "$RES/direct" "$RES/nginx" "${SUITES[@]}"
  echo
  echo "### Upstream = static nginx (JSON ceiling)"
  echo
  node "$BENCH_DIR/lib/report.mjs" "$RES/direct-static" "$RES/nginx-static" "$RES/sluice-static" \
    | awk '/^#### Streaming/{skip=1} /^#### Gateway process memory/{skip=0} !skip'
} | tee "$RES/report.md"
log "results in $RES"
