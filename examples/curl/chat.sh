#!/usr/bin/env bash
# One chat completion, not streamed.
#   ./chat.sh ["prompt"]
# Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional),
#              SLUICE_MODEL (default sim: the built-in simulator's model name).
set -euo pipefail
url="${SLUICE_URL:-http://127.0.0.1:8000}"
model="${SLUICE_MODEL:-sim}"
prompt="${1:-Say hello in one sentence.}"
auth=()
[[ -n "${SLUICE_API_KEY:-}" ]] && auth=(-H "Authorization: Bearer ${SLUICE_API_KEY}")
json_string() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

curl -sS --fail-with-body "${url}/v1/chat/completions" \
  ${auth[@]+"${auth[@]}"} \
  -H "Content-Type: application/json" \
  -d "{\"model\": $(json_string "$model"), \"max_tokens\": 64,
       \"messages\": [{\"role\": \"user\", \"content\": $(json_string "$prompt")}]}"
echo
