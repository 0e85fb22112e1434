#!/usr/bin/env bash
# Offline check of docker-compose.yml (there is no Docker engine in CI, and Debian's docker-compose 1.29
# is too old for the current spec):
#   1. the file, with its YAML anchors/merge keys resolved and ${VAR} interpolated (with compose's
#      defaults, then with each deploy/env/*.env), validates against the compose-spec JSON schema that
#      npm `dclint` ships (schemas/compose.schema.json), with ajv;
#   2. project rules (.ci/checks/compose-rules.cjs): pinned image tags, runtimes only on the internal
#      network with a health check and a GPU reservation, the gateway read-only and bound to 127.0.0.1
#      by default, env templates pointing at a service of their profile, Dockerfile non-root;
#   3. dclint itself, with its style/ordering rules off (it checks the schema again, explicit tags,
#      duplicate ports and container names).
# npm packages are installed once, pinned, into ${XDG_CACHE_HOME:-$HOME/.cache}/sluice-ci/compose
# (outside the repo); later runs need no network. If the packages are missing and the npm registry
# cannot be reached, the check prints "skipped: npm registry unreachable" and exits 0. Any other
# failure exits non-zero.
# Usage: .ci/checks/compose.sh [compose-file]   (default: docker-compose.yml at the repo root)
set -euo pipefail
cd "$(dirname "$0")/../.."
compose_file="${1:-docker-compose.yml}"

prefix="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/sluice-ci/compose"
packages=(dclint@3.1.0 ajv@8.17.1 ajv-formats@3.0.1 yaml@2.8.1)
stamp="$prefix/.installed"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "compose check: node and npm are required" >&2
  exit 1
fi

if [[ ! -f "$stamp" || "$(cat "$stamp")" != "${packages[*]}" ]]; then
  mkdir -p "$prefix"
  echo "compose check: installing ${packages[*]} into $prefix"
  log="$(mktemp)"
  if ! npm install --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
        --prefix "$prefix" "${packages[@]}" >"$log" 2>&1; then
    if ! timeout 20 npm ping >/dev/null 2>&1; then
      echo "compose check: skipped: npm registry unreachable (could not install ${packages[*]})"
      rm -f "$log"
      exit 0
    fi
    cat "$log" >&2
    rm -f "$log"
    echo "compose check: npm install failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "${packages[*]}" > "$stamp"
fi

SLUICE_CI_NODE_MODULES="$prefix/node_modules" node .ci/checks/compose-rules.cjs "$compose_file"

dclint_cfg="$(mktemp --suffix=.json)"
trap 'rm -f "$dclint_cfg"' EXIT
# Off: ordering/quoting style, build+image (the image name tags the local build), and unbound
# interfaces (dclint cannot read "${SLUICE_BIND:-127.0.0.1}:…"; compose-rules.cjs checks the default).
cat > "$dclint_cfg" <<'JSON'
{ "rules": {
    "service-keys-order": 0, "services-alphabetical-order": 0, "top-level-properties-order": 0,
    "service-ports-alphabetical-order": 0, "service-dependencies-alphabetical-order": 0,
    "require-quotes-in-ports": 0, "no-quotes-in-volumes": 0,
    "no-build-and-image": 0, "no-unbound-port-interfaces": 0 } }
JSON
node "$prefix/node_modules/dclint/bin/dclint.cjs" --color=false -c "$dclint_cfg" --max-warnings 0 "$compose_file"
echo "compose check: dclint $(node "$prefix/node_modules/dclint/bin/dclint.cjs" --version) passed"
