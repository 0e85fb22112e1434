# Sourced by the bench scripts after they set ROOT: where the shared harness and the jar are, the shipped JVM flags,
# the CPU layout (gateway alone on SUT_CPUS, load and upstreams on LOAD_CPUS), and the request bodies they send.
BENCH_DIR="${BENCH_DIR:-$ROOT/../shared/bench}"
JAVA="${JAVA:-${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m}"
JAR="${SLUICE_JAR:-$ROOT/app/target/sluice.jar}"
SUT_CPUS="${SUT_CPUS:-0}" LOAD_CPUS="${LOAD_CPUS:-1}"

# sluice_body API STREAM MODEL: a short chat request in that client dialect (openai: the shared harness's own body)
sluice_body() {
  case "$1" in
    anthropic) printf '{"model":"%s","max_tokens":64,"stream":%s,"messages":[{"role":"user","content":"Write a haiku about load balancers."}]}' "$3" "$2" ;;
    responses) printf '{"model":"%s","input":"Write a haiku about load balancers.","max_output_tokens":64,"store":false,"stream":%s}' "$3" "$2" ;;
    *) local so=""
       [ "$2" = true ] && so=',"stream_options":{"include_usage":true}'
       printf '{"model":"%s","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a haiku about load balancers."}],"max_tokens":64,"temperature":0.2,"stream":%s%s}' "$3" "$2" "$so" ;;
  esac
}

# sluice_path API: the endpoint of that dialect
sluice_path() {
  case "$1" in
    anthropic) echo /v1/messages ;;
    responses) echo /v1/responses ;;
    *) echo /v1/chat/completions ;;
  esac
}
