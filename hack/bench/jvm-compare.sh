#!/usr/bin/env bash
# The data plane's JVM chosen by measurement: HTTP/1.1 keep-alive and a new connection per request
# through nginx and through clb-ingress on each JVM configuration below, all in the same run, in
# alternating rounds, to the same nginx static backend; then the idle RSS and live heap of each
# clb-ingress process. Prints a Markdown table of medians and ratios to nginx.
#
# usage: hack/bench/jvm-compare.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS] [CONFIG...]
#   CONFIG is NAME=JAVA_BINARY:JVM_FLAGS[#JAR] (flags separated by spaces, none after ":" for
#   none; #JAR runs another build of clb-ingress, to compare two commits), default:
#   jdk17-parallel, jdk17-serial, jdk17-g1, jdk25-parallel, jdk25-g1, jdk25-zgc (Temurin 25 from
#   /usr/lib/jvm), each with a 256 MB heap committed and touched at start.
# needs: wrk nginx taskset python3 curl, the built jar, and each JAVA_BINARY.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
configs=()
args=()
for arg in "$@"; do
  case $arg in *=*:*) configs+=("$arg");; *) args+=("$arg");; esac
done
bench_options "${args[@]}"
bench_prerequisites wrk nginx taskset python3 curl
jdk17=$(command -v java)
jdk25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
heap="-Xms256m -Xmx256m -XX:+AlwaysPreTouch"
[ ${#configs[@]} -gt 0 ] || configs=(
  "jdk17-parallel=$jdk17:$heap -XX:+UseParallelGC"
  "jdk17-serial=$jdk17:$heap -XX:+UseSerialGC"
  "jdk17-g1=$jdk17:$heap -XX:+UseG1GC"
  "jdk25-parallel=$jdk25:$heap -XX:+UseParallelGC"
  "jdk25-g1=$jdk25:$heap -XX:+UseG1GC"
  "jdk25-zgc=$jdk25:$heap -XX:+UseZGC")
bench_start jvm
bench_backend "${ports[0]}"
bench_proxy nginx "${ports[1]}" "${ports[0]}"
targets=("nginx=${ports[1]}")
clb=()
for config in "${configs[@]}"; do
  name=${config%%=*} spec=${config#*=} jar=operator/target/clb-ingress.jar
  if [[ $spec == *"#"* ]]; then jar=${spec#*#} spec=${spec%%#*}; fi
  [ -x "${spec%%:*}" ] || { echo "no java at ${spec%%:*} for $name" >&2; exit 2; }
  CLB_JAVA=${spec%%:*} CLB_JAVA_OPTS=${spec#*:} CLB_JAR=$jar bench_clb_target "$name"
  clb+=("$name=$clb_pid=$(dirname "${spec%%:*}")/jcmd")
  "${spec%%:*}" -version 2>&1 | head -1 | sed "s/^/# $name: /"
done
bench_wrk_rounds http
for entry in "${clb[@]}"; do
  IFS='=' read -r name pid jcmd <<< "$entry"
  JCMD=$jcmd bench_record_idle "$name" "$pid"
done
bench_finish
