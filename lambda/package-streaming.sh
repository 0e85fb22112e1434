#!/bin/sh
# Builds lambda/target/sluice-lambda-streaming.zip for a provided.al2023 function (docs/LAMBDA-STREAMING.md):
#   bootstrap        the launcher (mode 755)
#   lib/*.jar        sluice-lambda, sluice-app and their runtime dependencies (thin jars, no fat jar)
# Usage, from anywhere: lambda/package-streaming.sh [extra maven args, e.g. -o]
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/lambda/target/streaming"
rm -rf "$out" && mkdir -p "$out/lib"
cd "$root"
./mvnw -B -q "$@" -pl lambda -am -DskipTests package dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$out/lib"
cp lambda/target/sluice-lambda-*.jar "$out/lib/"
cp lambda/bootstrap "$out/bootstrap" && chmod 755 "$out/bootstrap"
rm -f lambda/target/sluice-lambda-streaming.zip
(cd "$out" && zip -q -r -X ../sluice-lambda-streaming.zip bootstrap lib)
ls -l lambda/target/sluice-lambda-streaming.zip
