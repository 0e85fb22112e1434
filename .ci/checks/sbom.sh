#!/usr/bin/env bash
# The SBOMs that ./mvnw verify writes (CycloneDX, cyclonedx-maven-plugin in the root pom; reliability.md G23):
# each deployable has one, it is CycloneDX JSON, it lists the Netty codec at the pinned floor or later, and no
# component outside this build is a SNAPSHOT. No network, no tools beyond grep/sed.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for sbom in app/target/sbom.json lambda/target/sbom.json; do
  if [[ ! -s "$sbom" ]]; then
    echo "sbom: $sbom is missing (run ./mvnw verify first)" >&2
    status=1
    continue
  fi
  if ! grep -q '"bomFormat" : "CycloneDX"' "$sbom"; then
    echo "sbom: $sbom is not a CycloneDX document" >&2
    status=1
  fi
  netty="$(grep -A3 '"name" : "netty-codec-http"' "$sbom" | sed -n 's/.*"version" : "\([^"]*\)".*/\1/p' | head -1)"
  if [[ -z "$netty" ]]; then
    echo "sbom: $sbom lists no netty-codec-http" >&2
    status=1
  elif [[ "$(printf '%s\n%s\n' "4.2.13.Final" "$netty" | sort -V | head -1)" != "4.2.13.Final" ]]; then
    echo "sbom: $sbom has netty-codec-http $netty, below the 4.2.13.Final floor" >&2
    status=1
  fi
  if grep '"version" : "[^"]*SNAPSHOT' "$sbom" | grep -v '0.1.0-SNAPSHOT' >/dev/null; then
    echo "sbom: $sbom has a SNAPSHOT dependency" >&2
    status=1
  fi
  echo "sbom: $sbom ok ($(grep -c '"bom-ref"' "$sbom") refs, netty-codec-http $netty)"
done
exit $status
