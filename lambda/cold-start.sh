#!/usr/bin/env bash
# Cold start of the buffered Lambda handler, measured here (no AWS): JVM start -> first handled event, in a
# fresh JVM, with and without the JDK 25 AOT cache. Needs `./mvnw -pl lambda -am package` (or verify) first.
#   lambda/cold-start.sh [runs]      figures go to docs/PERFORMANCE.md ("Lambda cold start")
set -euo pipefail
cd "$(dirname "$0")"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
RUNS="${1:-5}"
JAR=target/sluice-lambda.jar
PROBE=target/cold-start-probe.jar
[[ -f $JAR ]] || { echo "cold-start.sh: $JAR is missing; run ./mvnw -pl lambda -am package first" >&2; exit 2; }
# the AOT cache needs jars on the class path, not directories
(cd target/test-classes && "${JAVA%/java}/jar" cf ../cold-start-probe.jar dev/sluice/lambda/ColdStartProbe.class \
    dev/sluice/lambda/Events.class dev/sluice/lambda/TestContext*.class)
CP="$JAR:$PROBE"
export BACKEND_KIND=sim API_KEYS=k SIM_TTFT_MS=1 SIM_TOKENS_PER_S=0 LOG_JSON=false LOG_LEVEL=warn
# what the managed Java runtimes put in JAVA_TOOL_OPTIONS by default
LAMBDA_OPTS=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
run() { for _ in $(seq "$RUNS"); do "$JAVA" "$@" -cp "$CP" dev.sluice.lambda.ColdStartProbe 2>/dev/null | tail -1; done; }
echo "== plain JVM"; run
echo "== Lambda's default flags (${LAMBDA_OPTS[*]})"; run "${LAMBDA_OPTS[@]}"
rm -f target/sluice-lambda.aot
"$JAVA" "${LAMBDA_OPTS[@]}" -XX:AOTCacheOutput=target/sluice-lambda.aot -cp "$CP" dev.sluice.lambda.ColdStartProbe \
    >/dev/null 2>&1
echo "== AOT cache ($(du -m target/sluice-lambda.aot | cut -f1) MB) + Lambda's default flags"
run "${LAMBDA_OPTS[@]}" -XX:AOTCache=target/sluice-lambda.aot
echo "== artifact: $JAR $(du -h $JAR | cut -f1) ($(stat -c %s $JAR) bytes)"
