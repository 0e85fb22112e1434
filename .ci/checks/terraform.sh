#!/usr/bin/env bash
# Offline checks of terraform/ (terraform validate/init need the provider registry, unreachable in CI):
#  1. `terraform fmt -check -recursive terraform/` where a terraform binary exists;
#  2. every .tf parses with @cdktf/hcl2json (HashiCorp's HCL parser compiled to WASM), and
#     .ci/checks/terraform-refs.js checks that every var./local./resource/data/module reference resolves,
#     every variable is used and documented, templatefile() variables match their templates, and
#     examples/terraform/*.tfvars parse and set only declared variables (fmt -check covers them too).
# Exit non-zero on any problem. When npm cannot reach its registry at all: print a skip and exit 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TF_DIR="${1:-$ROOT/terraform}"
# Example variable files checked against the declared variables.
TFVARS_DIR="${2:-$ROOT/examples/terraform}"
HCL2JSON_VERSION="0.21.0"
# One prefix per check: `npm install --no-save` prunes packages another check installed in the same prefix.
CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/sluice-ci/terraform"

if [ ! -d "$TF_DIR" ]; then
  echo "terraform check: no $TF_DIR" >&2
  exit 1
fi

status=0

if command -v terraform >/dev/null 2>&1; then
  echo "terraform fmt -check -recursive $TF_DIR $TFVARS_DIR"
  if ! TF_CLI_CONFIG_FILE=/dev/null terraform fmt -no-color -check -recursive -diff "$TF_DIR" \
    && { [ ! -d "$TFVARS_DIR" ] || TF_CLI_CONFIG_FILE=/dev/null terraform fmt -no-color -check -recursive -diff "$TFVARS_DIR"; }; then
    echo "terraform check: FAIL: terraform fmt would change the files above (run: terraform fmt -recursive terraform/)" >&2
    status=1
  fi
else
  echo "terraform fmt: skipped (no terraform binary on PATH)"
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "terraform check: node and npm are needed for the HCL parse and reference check" >&2
  exit 1
fi

PKG="$CACHE/node_modules/@cdktf/hcl2json/package.json"
if [ ! -f "$PKG" ] || ! grep -q "\"version\": \"$HCL2JSON_VERSION\"" "$PKG"; then
  mkdir -p "$CACHE"
  if ! timeout 60 npm ping --fetch-retries=0 --fetch-timeout=15000 >/dev/null 2>&1; then
    echo "skipped: npm registry unreachable"
    exit "$status"
  fi
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$CACHE" \
    "@cdktf/hcl2json@$HCL2JSON_VERSION" >/dev/null || {
    echo "terraform check: npm could not install @cdktf/hcl2json@$HCL2JSON_VERSION into $CACHE" >&2
    exit 1
  }
fi

tfvars=()
if [ -d "$TFVARS_DIR" ]; then
  while IFS= read -r -d '' f; do tfvars+=("$f"); done < <(find "$TFVARS_DIR" -name '*.tfvars' -print0 | sort -z)
fi
if ! NODE_PATH="$CACHE/node_modules" node "$ROOT/.ci/checks/terraform-refs.js" "$TF_DIR" "${tfvars[@]}"; then
  status=1
fi

exit "$status"
