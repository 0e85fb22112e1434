#!/usr/bin/env bash
# Drives Claude Code through Sluice with no GPU and no Anthropic account:
#
#   claude -p  ->  Sluice (/v1/messages, Anthropic API)  ->  ScriptedRuntime.java (OpenAI chat API, vLLM flavour)
#
# The scripted runtime answers Claude Code's first request with a Bash tool call, and the follow-up (which
# carries the tool's output) with a final text quoting it. The check passes only if the answer contains a
# random marker that exists nowhere but in a file the Bash command reads, so the tool really ran.
#
# Usage: examples/claude-code/run-against-fake.sh [--context-limit N]
#   --context-limit N   make the runtime refuse, as vLLM does, requests whose prompt + max_tokens exceed N
#                       tokens (Claude Code asks for up to 128000); Sluice tells Claude Code in the Anthropic
#                       wording and it retries with a smaller max_tokens.
# Env: SLUICE_CLAUDE_BIN (default: `claude` on PATH), JAVA_HOME (a JDK >= 25), KEEP_TMP=1 to keep the logs.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CONTEXT_ARGS=()
if [[ "${1:-}" == "--context-limit" ]]; then
  CONTEXT_ARGS=(--context-limit "$2")
fi

CLAUDE="${SLUICE_CLAUDE_BIN:-$(command -v claude || true)}"
if [[ -z "$CLAUDE" || ! -x "$CLAUDE" ]]; then
  echo "error: Claude Code not found. Install it (npm install -g @anthropic-ai/claude-code) or set SLUICE_CLAUDE_BIN" >&2
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

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-claude-code.XXXXXX")"
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
mkdir -p "$TMP/work" "$TMP/claude-config"
echo "$MARKER" > "$TMP/work/marker.txt"

# 1. the scripted runtime (OpenAI-compatible, vLLM flavour), on a free port it picks itself
"$JAVA" "$HERE/ScriptedRuntime.java" --port-file "$TMP/runtime.port" --log "$TMP/runtime-requests.jsonl" \
  --command "echo sluice-ok; cat marker.txt" "${CONTEXT_ARGS[@]}" > "$TMP/runtime.log" 2>&1 &
RUNTIME_PID=$!
for _ in $(seq 100); do [[ -s "$TMP/runtime.port" ]] && break; sleep 0.1; done
RUNTIME_PORT="$(cat "$TMP/runtime.port")"

# 2. Sluice in front of it: every claude-* model name is served by the runtime's model
GATEWAY_PORT="$(free_port)"
KEY="sk-sluice-claude-code-$RANDOM"
API_PORT="$GATEWAY_PORT" API_KEYS="$KEY" BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$RUNTIME_PORT/v1" \
  MODEL_NAME=scripted MODEL_ALIASES='claude-*' LOG_JSON=false \
  "$JAVA" -jar "$JAR" > "$TMP/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 120); do http_ok "$GATEWAY_PORT" /livez 2>/dev/null && break; sleep 0.25; done
http_ok "$GATEWAY_PORT" /livez || { echo "error: the gateway did not start; see below" >&2; cat "$TMP/gateway.log" >&2; exit 1; }

# 3. Claude Code, non-interactive, allowed to run Bash without asking, with a clean config directory
echo "claude: $("$CLAUDE" --version)"
set +e
(cd "$TMP/work" && env -i PATH="/usr/local/bin:/usr/bin:/bin" HOME="$TMP/claude-config" \
  CLAUDE_CONFIG_DIR="$TMP/claude-config" \
  ANTHROPIC_BASE_URL="http://127.0.0.1:$GATEWAY_PORT" ANTHROPIC_API_KEY="$KEY" \
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 \
  timeout 180 "$CLAUDE" -p "Run the check command with the Bash tool and tell me exactly what it printed." \
    --allowedTools Bash --output-format json) > "$TMP/claude.json" 2> "$TMP/claude.err"
CLAUDE_RC=$?
set -e

echo "requests the runtime received:"
sed 's/^/  /' "$TMP/runtime-requests.jsonl" 2>/dev/null || true
echo "requests Sluice served:"
grep -o 'method=.*' "$TMP/gateway.log" | grep -v 'route=/livez' \
  | sed -E 's/ (duration_ms|principal|ttft_ms|backend)=[^ ]*//g; s/^/  /' || true

if [[ $CLAUDE_RC -ne 0 ]] || ! grep -q '"is_error":false' "$TMP/claude.json" || ! grep -q "$MARKER" "$TMP/claude.json" \
  || ! grep -q 'sluice-ok' "$TMP/claude.json"; then
  echo "FAIL: claude exited $CLAUDE_RC; its output:" >&2
  cat "$TMP/claude.json" "$TMP/claude.err" >&2
  KEEP_TMP=1
  exit 1
fi
echo "result: $(grep -o '"result":"[^"]*"' "$TMP/claude.json")"
echo "OK: Claude Code ran Bash through Sluice and answered with its output ($MARKER)"
