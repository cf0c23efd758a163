#!/usr/bin/env bash
# Soak: a mixed load on one clb-ingress process for a long time (default 30 min) — keep-alive
# requests, a new connection per request, new TLS handshakes, WebSocket open/echo/close churn —
# with a routing-table change every few seconds. Reports RSS and live heap over time, the longest
# GC pause and the errors; exits 1 on any error or when the live heap grew more than allowed.
# Never judges speed. The test suite runs it for two minutes (SoakE2ETest).
#
# usage: hack/bench/soak.sh [-d DURATION] [-s SAMPLE] [-c CHURN] [-g MAX_HEAP_GROWTH_MB] [-p BASE_PORT]
#   defaults: -d 30m -s 10s -c 3s -g 64 -p 18190 (ports BASE..BASE+3)
# needs: java, jcmd, curl, taskset and the built jar (mvn -DskipTests package)
# prints: one line per sample, then "summary:" lines; raw files in hack/bench/run/soak-*/
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=30m sample=10s churn=3s growth=64 base=18190
while getopts "d:s:c:g:p:" o; do case $o in
  d) duration=$OPTARG;; s) sample=$OPTARG;; c) churn=$OPTARG;; g) growth=$OPTARG;; p) base=$OPTARG;;
  *) sed -n 2,13p "$0"; exit 2;; esac; done

# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_prerequisites java jcmd curl taskset

run=$(pwd)/hack/bench/run/soak-$(date +%Y%m%d-%H%M%S); mkdir -p "$run"
backend_port=$base http_port=$((base + 1)) https_port=$((base + 2)) admin_port=$((base + 3))
clb_pids=()
backend_pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  for pid in "${clb_pids[@]}" $backend_pid; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

java -cp operator/target/clb-ingress.jar hack/EchoBackend.java "$backend_port" > "$run/backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$backend_port/" >/dev/null 2>&1 && break
  sleep 0.2
done

ulimit -n "$(ulimit -Hn)"
# The data plane's GC log, one file per process id, never rotated (its pauses and live heap are read from it).
export JAVA_TOOL_OPTIONS="-Xlog:gc:file=$run/gc-%p.log:uptime:filecount=0"
start_clb "$run" "$backend_port" "$http_port" "$https_port" "$admin_port"
unset JAVA_TOOL_OPTIONS
echo "# clb-ingress $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, pid $clb_pid, $duration"
java -cp operator/target/clb-ingress.jar hack/bench/Soak.java --pid "$clb_pid" --http "$http_port" \
  --https "$https_port" --manifests "$run/manifests" --duration "$duration" --sample "$sample" --churn "$churn" \
  --max-heap-growth-mb "$growth" --gc-log "$run/gc-$clb_pid.log" | tee "$run/soak.txt"
exit "${PIPESTATUS[0]}"
