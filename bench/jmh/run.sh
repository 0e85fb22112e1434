#!/usr/bin/env bash
# JMH microbenchmarks of the stream hot path (SSE decoding, per-chunk checks, each stream translator).
# Usage: bench/jmh/run.sh [JMH args...]   e.g. bench/jmh/run.sh StreamTranslatorBench -p client=openai
# Builds the app and this module (no tests) unless SKIP_BUILD=1; pins to CPU $JMH_CPUS when set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && JAVA_HOME="$JAVA_HOME" ./mvnw -B -ntp -q -pl bench/jmh -am package -DskipTests)
fi
CP="$ROOT/bench/jmh/target/classes:$(cat "$ROOT/bench/jmh/target/classpath.txt")"
PIN=()
[ -z "${JMH_CPUS:-}" ] || PIN=(taskset -c "$JMH_CPUS")
exec "${PIN[@]+"${PIN[@]}"}" "$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main "$@"
