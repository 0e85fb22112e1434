#!/usr/bin/env bash
# Routing strategies against each other on a simulated GPU fleet, over real HTTP (docs/ROUTING.md, "simulated
# fleet"): the real gateway in front of 4 vLLM-shaped runtimes (4 batch slots, a FIFO queue, a 10-conversation
# prefix cache, /metrics), 32 streaming conversations of 8 turns, weighted vs least_loaded vs prefix_affinity, on an
# even fleet and with one deployment 4x slower. Unlike the rest of bench/, the gateway runs inside the test JVM
# (app/src/test/java/dev/sluice/routing/HttpFleetTest.java), the runtimes as virtual-thread HTTP servers beside it.
# Env: SCALE (1: the model's real timings; the test suite runs 0.25), SEEDS (3).
# Prints the tables; takes about 4 minutes per seed at SCALE=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
./mvnw -B -ntp -q -pl app test-compile
./mvnw -B -ntp -pl app surefire:test -Dtest=HttpFleetTest -Dsluice.sim.print=true \
  -Dsluice.fleet.scale="${SCALE:-1}" -Dsluice.fleet.seeds="${SEEDS:-3}" >/dev/null || {
  echo "HttpFleetTest failed: see app/target/surefire-reports/dev.sluice.routing.HttpFleetTest.txt" >&2; exit 1; }
grep -E '^(\||even|one)' app/target/surefire-reports/dev.sluice.routing.HttpFleetTest-output.txt
