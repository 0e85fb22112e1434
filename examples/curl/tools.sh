#!/usr/bin/env bash
# Tool calling in two requests:
#   1. offer a get_weather tool; the model answers with a tool call (finish_reason "tool_calls");
#   2. send the call back with a tool result; the model answers in text.
# Step 2 reuses the tool-call id from step 1 when jq is installed, else a fixed id.
# Real runtimes need tool calling switched on (vLLM: --enable-auto-tool-choice --tool-call-parser ...;
# llama.cpp: --jinja) and a model trained for it. The simulator always calls the first tool.
#   ./tools.sh
# Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional),
#              SLUICE_MODEL (default sim).
set -euo pipefail
url="${SLUICE_URL:-http://127.0.0.1:8000}"
model="${SLUICE_MODEL:-sim}"
auth=()
[[ -n "${SLUICE_API_KEY:-}" ]] && auth=(-H "Authorization: Bearer ${SLUICE_API_KEY}")

tools='[{"type": "function", "function": {
  "name": "get_weather",
  "description": "Current weather for a city",
  "parameters": {"type": "object",
                 "properties": {"city": {"type": "string"}},
                 "required": ["city"]}}}]'
question='{"role": "user", "content": "What is the weather in Paris?"}'

echo "# 1. request with tools"
first=$(curl -sS --fail-with-body "${url}/v1/chat/completions" \
  ${auth[@]+"${auth[@]}"} \
  -H "Content-Type: application/json" \
  -d "{\"model\": \"${model}\", \"tools\": ${tools}, \"messages\": [${question}]}")
echo "$first"

call_id="call_1"
args='{"city":"Paris"}'
if command -v jq >/dev/null; then
  call_id=$(jq -r '.choices[0].message.tool_calls[0].id // "call_1"' <<<"$first")
  args=$(jq -r '.choices[0].message.tool_calls[0].function.arguments // "{\"city\":\"Paris\"}"' <<<"$first")
fi
args_json=$(printf '%s' "$args" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')

echo "# 2. request with the tool result"
curl -sS --fail-with-body "${url}/v1/chat/completions" \
  ${auth[@]+"${auth[@]}"} \
  -H "Content-Type: application/json" \
  -d "{\"model\": \"${model}\", \"tools\": ${tools}, \"messages\": [
        ${question},
        {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"${call_id}\", \"type\": \"function\",
          \"function\": {\"name\": \"get_weather\", \"arguments\": \"${args_json}\"}}]},
        {\"role\": \"tool\", \"tool_call_id\": \"${call_id}\", \"content\": \"18 C and sunny\"}]}"
echo
