#!/bin/sh
# Trains a JDK 25 AOT cache for the streaming zip and adds it as sluice.aot (docs/LAMBDA-STREAMING.md).
# The cache is only used when the JDK build and the classpath match exactly, so train with the same JDK as the
# function's Java layer and with the task root at the path Lambda uses: /var/task (the default here).
# Usage: lambda/package-streaming.sh && lambda/train-aot.sh [TASK_ROOT]
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
task="${1:-/var/task}"
rm -rf "$task" && mkdir -p "$task"
cp -r "$root/lambda/target/streaming/." "$task/"
rm -f "$task/sluice.aot"
SLUICE_JAVA_OPTS="-XX:AOTCacheOutput=$task/sluice.aot" python3 "$root/lambda/tools/fake_runtime_api.py" "$task"
cp "$task/sluice.aot" "$root/lambda/target/streaming/sluice.aot"
(cd "$root/lambda/target/streaming" && zip -q -X ../sluice-lambda-streaming.zip sluice.aot)
echo "cold start with the cache:"
python3 "$root/lambda/tools/fake_runtime_api.py" "$task"
ls -l "$root/lambda/target/sluice-lambda-streaming.zip"
