#!/usr/bin/env bash
# Many idle-ish streams at once (issue 15, memory): N concurrent streaming chat completions, each sending one
# chunk a second for CHUNKS seconds, through nginx and through Sluice with the shipped flags (auth, metrics, access
# log on), one after the other on the same box. Reports per proxy: streams completed, TTFT and gap p50/p99 (the
# shared SSE probe), and for Sluice its RSS and the heap in use at the plateau (all streams open).
# Layout as bench/run-sluice.sh: proxy on CPU $SUT_CPUS, the mock upstream and the probe on $LOAD_CPUS.
# Streams start spread over RAMP_S seconds and last CHUNKS seconds, so all are open together for CHUNKS - RAMP_S
# seconds; each proxy first gets 20 s of fast streams, so that Sluice's JIT is warm when the ramp begins.
# Env: STREAMS (10000; each holds two sockets in the proxy, so the open-files limit must be above twice that),
#      CHUNKS (60), RAMP_S (30), SLUICE_JAR, JAVA, SLUICE_JAVA_OPTS, BENCH_DIR, PROXIES
#      ("nginx sluice").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bench/lib/sluice-bench.sh"
. "$BENCH_DIR/lib/common.sh"
STREAMS="${STREAMS:-10000}" CHUNKS="${CHUNKS:-60}" RAMP_S="${RAMP_S:-30}"
OPTS="$SLUICE_JAVA_OPTS"
MOCK_PORT=18281 NGX_PORT=18290 NGX_STATIC_PORT=18292 GW_PORT=18300
WORK="$(mktemp -d)"
# each stream holds two sockets in the proxy: raise the soft limit as far as the hard one allows
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ $((STREAMS * 2 + 500)) -gt "$(ulimit -n)" ]; then
  echo "warning: $STREAMS streams need about $((STREAMS * 2 + 500)) open files in the proxy; the limit is $(ulimit -n)" >&2
fi
GW_PID=""
cleanup() {
  [ -z "$GW_PID" ] || kill "$GW_PID" 2>/dev/null || true
  stop_pidfile nginx-idle || true
  kill $(jobs -p) 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

taskset -c "$LOAD_CPUS" node "$BENCH_DIR/upstream/mock-upstream.mjs" --host 127.0.0.1 --port $MOCK_PORT \
  >"$WORK/mock.log" 2>&1 &
wait_http "http://127.0.0.1:$MOCK_PORT/health" 10 || die "mock upstream not answering"

probe() { # URL OUT [HEADER]
  taskset -c "$LOAD_CPUS" node --max-old-space-size=2048 "$BENCH_DIR/lib/sse-probe.mjs" --url "$1" \
    ${3:+--header "$3"} --model mock --chunks "$CHUNKS" --delay-ms 1000 --streams "$STREAMS" \
    --concurrency "$STREAMS" --ramp-ms $((RAMP_S * 1000)) --timeout-s $((CHUNKS + RAMP_S + 120)) --out "$2" >/dev/null
}
warm() { # URL [HEADER]: 20 s of short fast streams
  taskset -c "$LOAD_CPUS" node "$BENCH_DIR/lib/sse-probe.mjs" --url "$1" ${2:+--header "$2"} --model mock \
    --chunks 20 --delay-ms 20 --streams 100000 --concurrency 50 --timeout-s 20 >/dev/null || true
}
row() { # NAME RESULT.json EXTRA
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = (s) => `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)}`;
    console.log(`| ${process.argv[2]} | ${r.streams_ok} of ${r.streams_ok + r.streams_failed} | ${f(r.ttft_ms)} | ${f(r.gap_ms)} | ${process.argv[3]} |`);
  ' "$2" "$1" "$3"
}
echo "| proxy | streams complete | TTFT p50 / p99 (ms) | gap p50 / p99 (ms) | memory |"
echo "| --- | --: | --: | --: | --- |"
for p in ${PROXIES:-nginx sluice}; do
  case "$p" in
    nginx)
      # the shared template allows 8192 connections; this run needs two per stream
      sed "s/worker_connections [0-9]*/worker_connections $((STREAMS * 2 + 100))/" \
        "$BENCH_DIR/proxies/nginx-proxy.conf.tmpl" >"$WORK/nginx-proxy.conf.tmpl"
      start_nginx nginx-idle "$WORK/nginx-proxy.conf.tmpl" "$SUT_CPUS" \
        "PORT=$NGX_PORT" "PORT_STATIC=$NGX_STATIC_PORT" "UPSTREAM_PORT=$MOCK_PORT" "STATIC_PORT=$MOCK_PORT"
      wait_http "http://127.0.0.1:$NGX_PORT/health" 10 || die "nginx not answering"
      warm "http://127.0.0.1:$NGX_PORT/v1/chat/completions"
      probe "http://127.0.0.1:$NGX_PORT/v1/chat/completions" "$WORK/nginx.json"
      row nginx "$WORK/nginx.json" "-"
      stop_pidfile nginx-idle ;;
    sluice)
      API_PORT=$GW_PORT BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$MOCK_PORT/v1" API_KEYS=bench-key \
        LOG_JSON=true taskset -c "$SUT_CPUS" "$JAVA" $OPTS -jar "$JAR" >"$WORK/sluice.log" 2>&1 &
      GW_PID=$!
      wait_http "http://127.0.0.1:$GW_PORT/livez" 30 || die "sluice not answering"
      warm "http://127.0.0.1:$GW_PORT/v1/chat/completions" "Authorization: Bearer bench-key"
      probe "http://127.0.0.1:$GW_PORT/v1/chat/completions" "$WORK/sluice.json" "Authorization: Bearer bench-key" &
      PROBE=$!
      # at the plateau: every stream open, none finished yet
      sleep $((RAMP_S + CHUNKS / 2))
      RSS_NOW=$(awk '/VmRSS/{print int($2/1024)}' /proc/$GW_PID/status)
      # jstat, not a forced GC: a full collection of this heap stops the streams for half a second and would be
      # measured as their gap; old + survivor spaces are the streams' objects (and some garbage promoted with them)
      HEAP=$("$(dirname "$JAVA")/jstat" -gc $GW_PID | awk 'NR == 2 { print int(($3 + $4 + $8) / 1024) }')
      wait $PROBE
      PEAK=$(awk '/VmHWM/{print int($2/1024)}' /proc/$GW_PID/status)
      row "sluice ($OPTS)" "$WORK/sluice.json" "RSS at plateau ${RSS_NOW} MiB, peak ${PEAK} MiB; heap in use outside eden at plateau ${HEAP} MiB"
      grep -c '"level":"ERROR"' "$WORK/sluice.log" | sed 's/^/sluice ERROR log lines: /'
      kill $GW_PID; GW_PID="" ;;
  esac
done
