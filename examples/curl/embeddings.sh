#!/usr/bin/env bash
# Embeddings for two inputs, as float arrays. Add "encoding_format": "base64" to get
# little-endian float32 vectors in base64; the gateway converts when the runtime cannot.
# The runtime must serve an embedding model (TGI does not serve embeddings at all: 501).
#   ./embeddings.sh
# Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional),
#              SLUICE_MODEL (default sim; the simulator returns deterministic unit vectors).
set -euo pipefail
url="${SLUICE_URL:-http://127.0.0.1:8000}"
model="${SLUICE_MODEL:-sim}"
auth=()
[[ -n "${SLUICE_API_KEY:-}" ]] && auth=(-H "Authorization: Bearer ${SLUICE_API_KEY}")

curl -sS --fail-with-body "${url}/v1/embeddings" \
  ${auth[@]+"${auth[@]}"} \
  -H "Content-Type: application/json" \
  -d "{\"model\": \"${model}\", \"input\": [\"The quick brown fox\", \"jumps over the lazy dog\"]}"
echo
