#!/usr/bin/env bash
# Routing strategies against each other on a simulated GPU fleet, over real HTTP (docs/ROUTING.md, "simulated
# fleet"): the real gateway in front of 4 vLLM-shaped runtimes (4 batch slots, a FIFO queue, a 10-conversation
# prefix cache, /metrics), 32 streaming conversations of 8 turns, weighted vs least_loaded vs prefix_affinity, on an
# even fleet and with one deployment 4x slower. Unlike the rest of bench/, the gateway runs inside the test JVM
# (app/src/test/java/dev/sluice/routing/HttpFleetTest.java), the runtimes as virtual-thread HTTP servers beside it.
# Then HttpOverloadTest: 4x the same kind of fleet's capacity for 60 s with admission control and three keys.
# Env: SCALE (1: the model's real timings; the test suite runs 0.25 and 0.5), SEEDS (3, the fleet's only).
# Prints the tables; takes about 3 minutes per seed at SCALE=1, plus 70 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
./mvnw -B -ntp -q -pl app test-compile
./mvnw -B -ntp -pl app surefire:test -Dtest=HttpFleetTest,HttpOverloadTest -Dsluice.sim.print=true \
  -Dsluice.fleet.scale="${SCALE:-1}" -Dsluice.fleet.seeds="${SEEDS:-3}" >/dev/null || {
  echo "failed: see app/target/surefire-reports/dev.sluice.routing.Http*Test.txt" >&2; exit 1; }
grep -hE '^(\||even|one|4x)' app/target/surefire-reports/dev.sluice.routing.HttpFleetTest-output.txt \
  app/target/surefire-reports/dev.sluice.routing.HttpOverloadTest-output.txt
