#!/usr/bin/env bash
# Shell-level test of the ./sluice launcher, on a temporary copy of it with a fake checkout, fake JDKs and a stub
# build, so it never starts Maven or a JVM: the one-line message when no JDK >= 25 is found, the build when the jar
# is missing or older than app/src/main or a pom (and not otherwise), the arguments passed through unchanged, and
# a failed build reported without running a stale jar. Usage: .ci/checks/launcher.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

repo="$work/repo"
mkdir -p "$repo/app/src/main/java" "$repo/app/src/test/java" "$repo/app/target"
cp sluice "$repo/sluice"
# the sources are two hours old; each case below makes the jar one hour old and touches what it changes
touch -d '2 hours ago' "$repo/pom.xml" "$repo/app/pom.xml" "$repo/app/src/main/java/A.java" \
  "$repo/app/src/test/java/ATest.java"

fake_jdk() { # fake_jdk DIR MAJOR: a `java` that reports MAJOR and, when run, prints its arguments
  mkdir -p "$1/bin"
  cat > "$1/bin/java" <<JAVA
#!/usr/bin/env bash
if [[ "\$*" == *-XshowSettings:properties* ]]; then echo "    java.specification.version = $2" >&2; exit 0; fi
echo "ran java $2: \$*"
JAVA
  chmod +x "$1/bin/java"
}
fake_jdk "$work/jdk17" 17
fake_jdk "$work/jdk25" 25
mkdir -p "$work/bin17" && ln -s "$work/jdk17/bin/java" "$work/bin17/java"

builds="$work/builds"
cat > "$work/mvnw-stub" <<STUB
#!/usr/bin/env bash
echo "\$*" >> "$builds"
[[ -f "$work/fail-build" ]] && { echo "[ERROR] compilation failed" >&2; exit 1; }
touch "$repo/app/target/sluice.jar"
STUB
chmod +x "$work/mvnw-stub"

fail=0
check() { # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
settle() { # sources two hours old, the jar one hour old: up to date until a case touches something
  touch -d '2 hours ago' "$repo/pom.xml" "$repo/app/pom.xml" "$repo/app/src/main/java/A.java" \
    "$repo/app/src/test/java/ATest.java"
  touch -d '1 hour ago' "$repo/app/target/sluice.jar"
}
build_count() { [[ -f "$builds" ]] && wc -l < "$builds" | tr -d ' ' || echo 0; }
run() { # run JAVA_HOME ARGS...: the launcher's exit status in $status, its output in $out
  local home="$1"; shift
  set +e
  out="$(env -i HOME="$work" PATH="$work/bin17:/usr/bin:/bin" JAVA_HOME="$home" SLUICE_JDK_DIRS="" \
    SLUICE_MVNW="$work/mvnw-stub" "$repo/sluice" "$@" 2>&1)"
  status=$?
  set -e
}

# no JDK >= 25 anywhere (JAVA_HOME and PATH say 17): one line that says how to get one, and no build
run "$work/jdk17" validate
check "no JDK 25: exit status 1" test "$status" -eq 1
check "no JDK 25: one line" test "$(printf '%s\n' "$out" | wc -l)" -eq 1
check "no JDK 25: says how to get one" grep -q "needs a JDK >= 25.*install Temurin 25.*JAVA_HOME" <<< "$out"
check "no JDK 25: no build" test "$(build_count)" -eq 0

# a JDK 25 in JAVA_HOME and no jar: one build, then the jar runs with the arguments unchanged
run "$work/jdk25" validate -c "my config.yaml"
check "missing jar: builds once" test "$(build_count)" -eq 1
check "missing jar: builds app with its modules" grep -q -- "-pl app -am package -DskipTests" "$builds"
check "missing jar: runs the jar with the arguments" \
  grep -qx "ran java 25: -jar $repo/app/target/sluice.jar validate -c my config.yaml" <<< "$out"
check "missing jar: exit status 0" test "$status" -eq 0

# the jar is newer than every source: no build
run "$work/jdk25" --version
check "fresh jar: no build" test "$(build_count)" -eq 1
check "fresh jar: runs" grep -q "ran java 25: -jar .* --version" <<< "$out"

# every source older than the jar: no build
settle
run "$work/jdk25"
check "settled jar: no build" test "$(build_count)" -eq 1

# a test source changed: still no build (tests are not in the jar)
settle; touch "$repo/app/src/test/java/ATest.java"
run "$work/jdk25"
check "test source newer: no build" test "$(build_count)" -eq 1

# a main source changed: one build
settle; touch "$repo/app/src/main/java/A.java"
run "$work/jdk25"
check "main source newer: builds" test "$(build_count)" -eq 2

# a pom changed: one build
settle; touch "$repo/pom.xml"
run "$work/jdk25"
check "pom newer: builds" test "$(build_count)" -eq 3

# JAVA_HOME unset but a JDK 25 among the places searched: found
set +e
out="$(env -i HOME="$work" PATH="$work/bin17:/usr/bin:/bin" SLUICE_JDK_DIRS="$work/nothing $work/jdk25" \
  SLUICE_MVNW="$work/mvnw-stub" "$repo/sluice" 2>&1)"
set -e
check "JDK found in the search list" grep -q "ran java 25" <<< "$out"

# the build fails: exit 1 and say so, without running the old jar
settle; touch "$repo/app/src/main/java/A.java" "$work/fail-build"
run "$work/jdk25"
check "failed build: exit status 1" test "$status" -eq 1
check "failed build: says so" grep -q "the build failed" <<< "$out"
check "failed build: the old jar does not run" bash -c "! grep -q 'ran java' <<< \"\$1\"" _ "$out"

exit "$fail"
