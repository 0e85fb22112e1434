#!/usr/bin/env bash
# The models this gateway serves, then one of them by id.
# With MODEL_NAME set, the gateway answers itself with that one model; without it, it
# forwards the runtime's own list.
#   ./models.sh [model-id]
# Environment: SLUICE_URL (default http://127.0.0.1:8000), SLUICE_API_KEY (optional).
set -euo pipefail
url="${SLUICE_URL:-http://127.0.0.1:8000}"
id="${1:-${SLUICE_MODEL:-sim}}"
auth=()
[[ -n "${SLUICE_API_KEY:-}" ]] && auth=(-H "Authorization: Bearer ${SLUICE_API_KEY}")

echo "# GET /v1/models"
curl -sS --fail-with-body "${url}/v1/models" ${auth[@]+"${auth[@]}"}
echo
echo "# GET /v1/models/${id}"
curl -sS --fail-with-body "${url}/v1/models/${id}" ${auth[@]+"${auth[@]}"}
echo
