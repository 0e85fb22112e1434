#!/usr/bin/env bash
# Drives Codex CLI through Sluice with no GPU and no OpenAI account:
#
#   codex exec  ->  Sluice (/v1/responses, Responses API)  ->  ScriptedRuntime.java (OpenAI chat API, vLLM flavour)
#
# The scripted runtime answers Codex's first request with a call of Codex's shell tool (exec_command), and the
# follow-up, which carries the command's output, with a final text that quotes it. The check passes only if
# Codex's final message contains a random marker. The marker exists nowhere but in a file the command reads, so
# the command really ran.
#
# Usage: examples/codex/run-against-fake.sh
# Env: SLUICE_CODEX_BIN (default: the npm install under /tmp/codex, then `codex` on PATH), JAVA_HOME (a JDK >= 25),
#      KEEP_TMP=1 to keep the logs, CODEX_EXTRA_ARGS for more codex flags. With
#      CODEX_EXTRA_ARGS="-c model_auto_compact_token_limit=2000" Codex compacts in the middle of the turn: it asks
#      the model, through Sluice, for a summary, and the runtime puts the command's output in it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

CODEX="${SLUICE_CODEX_BIN:-}"
if [[ -z "$CODEX" ]]; then
  for candidate in /tmp/codex/node_modules/@openai/codex/vendor/*/bin/codex; do
    [[ -x "$candidate" ]] && CODEX="$candidate" && break
  done
fi
CODEX="${CODEX:-$(command -v codex || true)}"
if [[ -z "$CODEX" || ! -x "$CODEX" ]]; then
  echo "error: Codex CLI not found. Install it (npm install --prefix /tmp/codex @openai/codex@0.169.0-linux-x64)" \
    "or set SLUICE_CODEX_BIN to the codex binary" >&2
  exit 2
fi

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}
if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" || "$(java_major "$JAVA_HOME")" -lt 25 ]]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25*; do
    if [[ -x "$candidate/bin/java" && "$(java_major "$candidate")" -ge 25 ]]; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
fi
if [[ -z "${JAVA_HOME:-}" || "$(java_major "$JAVA_HOME")" -lt 25 ]]; then
  echo "error: Sluice needs a JDK >= 25; set JAVA_HOME" >&2
  exit 2
fi
JAVA="$JAVA_HOME/bin/java"

JAR="$ROOT/app/target/sluice.jar"
if [[ ! -f "$JAR" ]]; then
  echo "building $JAR ..."
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-codex.XXXXXX")"
RUNTIME_PID=""
GATEWAY_PID=""
cleanup() {
  [[ -n "$GATEWAY_PID" ]] && kill "$GATEWAY_PID" 2>/dev/null || true
  [[ -n "$RUNTIME_PID" ]] && kill "$RUNTIME_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ "${KEEP_TMP:-0}" == "1" ]]; then
    echo "logs kept in $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT

# A free loopback port: one nothing answers on.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$(( (RANDOM % 20000) + 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo "error: no free port found" >&2
  exit 1
}

http_ok() {  # GET a URL on loopback with bash alone; true on HTTP 200
  local port="$1" path="$2" status
  exec 4<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&4
  status="$(head -1 <&4 | cut -d' ' -f2)"
  exec 4<&-
  [[ "$status" == "200" ]]
}

MARKER="sluice-marker-$RANDOM$RANDOM$RANDOM"
mkdir -p "$TMP/work" "$TMP/home/.codex"
echo "$MARKER" > "$TMP/work/marker.txt"

# 1. the scripted runtime (OpenAI-compatible, vLLM flavour), on a free port it picks itself
"$JAVA" "$HERE/ScriptedRuntime.java" --port-file "$TMP/runtime.port" --log "$TMP/runtime-requests.jsonl" \
  --command "echo hello-codex-43 && cat marker.txt" > "$TMP/runtime.log" 2>&1 &
RUNTIME_PID=$!
for _ in $(seq 100); do [[ -s "$TMP/runtime.port" ]] && break; sleep 0.1; done
RUNTIME_PORT="$(cat "$TMP/runtime.port")"

# 2. Sluice in front of it
GATEWAY_PORT="$(free_port)"
KEY="sk-sluice-codex-$RANDOM"
API_PORT="$GATEWAY_PORT" API_KEYS="$KEY" BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$RUNTIME_PORT/v1" \
  MODEL_NAME=scripted LOG_JSON=false \
  "$JAVA" -jar "$JAR" > "$TMP/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 120); do http_ok "$GATEWAY_PORT" /livez 2>/dev/null && break; sleep 0.25; done
http_ok "$GATEWAY_PORT" /livez || { echo "error: the gateway did not start; see below" >&2; cat "$TMP/gateway.log" >&2; exit 1; }

# 3. Codex, non-interactive, with examples/codex/config.toml in a fresh CODEX_HOME. The flags only point it at
#    this gateway and keep it quiet; the sandbox is off because the command is the scripted runtime's echo.
cp "$HERE/config.toml" "$TMP/home/.codex/config.toml"
echo "codex: $("$CODEX" --version)"
set +e
(cd "$TMP/work" && env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$TMP/home" CODEX_HOME="$TMP/home/.codex" \
  SLUICE_API_KEY="$KEY" \
  timeout 120 "$CODEX" exec --json --ephemeral --skip-git-repo-check --sandbox danger-full-access \
    -c model='"scripted"' -c model_providers.sluice.base_url="\"http://127.0.0.1:$GATEWAY_PORT/v1\"" \
    -c approval_policy='"never"' -c check_for_update_on_startup=false -c analytics.enabled=false ${CODEX_EXTRA_ARGS:-} \
    --output-last-message "$TMP/last-message.txt" \
    "Run the check command with your shell tool and tell me exactly what it printed." \
    < /dev/null) > "$TMP/codex.jsonl" 2> "$TMP/codex.err"
CODEX_RC=$?
set -e

echo "requests the runtime received:"
sed 's/^/  /' "$TMP/runtime-requests.jsonl" 2>/dev/null || true
echo "requests Sluice served:"
grep -o 'method=.*' "$TMP/gateway.log" | grep -v 'route=/livez' \
  | sed -E 's/ (duration_ms|principal|ttft_ms|backend)=[^ ]*//g; s/^/  /' || true

if [[ $CODEX_RC -ne 0 ]] || ! grep -q "$MARKER" "$TMP/last-message.txt" 2>/dev/null \
  || ! grep -q 'hello-codex-43' "$TMP/last-message.txt"; then
  echo "FAIL: codex exited $CODEX_RC; its output:" >&2
  cat "$TMP/codex.jsonl" "$TMP/codex.err" >&2
  KEEP_TMP=1
  exit 1
fi
echo "command Codex ran: $(grep -o '"type":"command_execution","command":"[^"]*"' "$TMP/codex.jsonl" | head -1)"
echo "final message: $(cat "$TMP/last-message.txt")"
echo "OK: Codex ran exec_command through Sluice and answered with its output ($MARKER)"
