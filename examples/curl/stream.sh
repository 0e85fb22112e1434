#!/usr/bin/env bash
# One chat completion streamed as server-sent events. Each `data:` line is printed as it
# arrives; `: keep-alive` lines are comments the gateway sends while the backend is silent.
# A normal stream ends with `data: [DONE]`; a failed one ends with `data: {"error":{...}}`.
#   ./stream.sh ["prompt"]
# Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional),
#              SLUICE_MODEL (default sim).
set -euo pipefail
url="${SLUICE_URL:-http://127.0.0.1:8000}"
model="${SLUICE_MODEL:-sim}"
prompt="${1:-Count to five.}"
auth=()
[[ -n "${SLUICE_API_KEY:-}" ]] && auth=(-H "Authorization: Bearer ${SLUICE_API_KEY}")
json_string() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

# -N turns off curl's output buffering so events show up as they arrive.
# include_usage asks for a last chunk with token counts (choices: []).
curl -sS -N --fail-with-body "${url}/v1/chat/completions" \
  ${auth[@]+"${auth[@]}"} \
  -H "Content-Type: application/json" \
  -d "{\"model\": $(json_string "$model"), \"stream\": true, \"max_tokens\": 64,
       \"stream_options\": {\"include_usage\": true},
       \"messages\": [{\"role\": \"user\", \"content\": $(json_string "$prompt")}]}"
