#!/usr/bin/env bash
# The image's warm start: deploy/aot-train.sh trains a JDK 25 AOT cache from the built jar, and a gateway started
# with -XX:AOTMode=on (which refuses to start when the cache cannot be used) answers with it; the Dockerfile trains
# with that script and starts the JVM with the cache. Usage (after the build): .ci/checks/aot-cache.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -q 'aot-train.sh /app/sluice.jar /app/sluice.aot' deploy/Dockerfile || { echo "Dockerfile does not train the AOT cache" >&2; exit 1; }
grep -q 'exec java -XX:AOTCache=/app/sluice.aot' deploy/Dockerfile || { echo "Dockerfile does not start with the AOT cache" >&2; exit 1; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cp app/target/sluice.jar "$work/sluice.jar"
TMPDIR="$work" JAVA="$java" JAVA_OPTS="-XX:+UseSerialGC -Xmx256m" AOT_PORT=18997 AOT_UPSTREAM_PORT=18996 \
  deploy/aot-train.sh "$work/sluice.jar" "$work/sluice.aot" 3
API_HOST=127.0.0.1 API_PORT=18995 "$java" -XX:AOTMode=on -XX:AOTCache="$work/sluice.aot" -XX:+UseSerialGC -Xmx256m \
  -jar "$work/sluice.jar" >"$work/run.log" 2>&1 &
for _ in $(seq 300); do
  if curl -fs -o /dev/null http://127.0.0.1:18995/v1/chat/completions -H 'Content-Type: application/json' \
      -d '{"model":"sim","messages":[{"role":"user","content":"Hello"}]}'; then
    echo "aot-cache: trained, and a gateway started on it answered"
    exit 0
  fi
  sleep 0.1
done
echo "aot-cache: the gateway did not answer with the AOT cache" >&2
cat "$work/run.log" >&2
exit 1
