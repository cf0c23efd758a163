#!/usr/bin/env bash
# HTTP/1.1 keep-alive throughput and latency through clb-ingress and through nginx, configured for
# the same nginx static backend, in the same run, in alternating rounds (the reference method of
# the shared bench harness: wrk pinned to cpu 0, proxies and backend on cpu 1, medians of rounds).
#
# usage: hack/bench/http-vs-nginx.sh [-r ROUNDS] [-d DURATION] [-c CONNECTIONS] [-w WARMUP]
# needs: wrk and nginx (apt-get install -y wrk nginx), the built jar (mvn -DskipTests package),
#        and the reference harness in ../shared/bench (or SHARED_BENCH=DIR).
# prints: per-round lines, then a table with req/s, p50, p99 and the req/s ratio to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=3 dur=10s conns=64 warm=30s
while getopts "r:d:c:w:" o; do case $o in
  r) rounds=$OPTARG;; d) dur=$OPTARG;; c) conns=$OPTARG;; w) warm=$OPTARG;; *) sed -n 2,10p "$0"; exit 2;; esac; done

# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
shared=${SHARED_BENCH:-../shared/bench}
[ -f "$shared/wrk-compare.sh" ] || { echo "no reference harness at $shared" >&2; exit 2; }
bench_prerequisites wrk nginx taskset

run=$(pwd)/hack/bench/run/$(date +%Y%m%d-%H%M%S); mkdir -p "$run"
export BENCH_RUN=$run
backend_port=18181 nginx_port=18182 clb_port=18183 admin_port=18184

cleanup() {
  bash "$shared/nginx-proxy.sh" stop $nginx_port >/dev/null 2>&1 || true
  bash "$shared/nginx-backend.sh" stop $backend_port >/dev/null 2>&1 || true
  for pid in "${clb_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
clb_pids=()
trap cleanup EXIT

bash "$shared/nginx-backend.sh" start $backend_port 1
bash "$shared/nginx-proxy.sh" start $nginx_port 127.0.0.1:$backend_port 1

ulimit -n "$(ulimit -Hn)"
start_clb "$run" $backend_port $clb_port 18186 $admin_port
curl -sf "http://127.0.0.1:$clb_port/" >/dev/null || { echo "clb-ingress does not answer; see $run/clb-ingress-*.log" >&2; exit 1; }

echo "# clb-ingress $(git rev-parse --short HEAD 2>/dev/null || echo dev), $(nproc) cores, $(java -version 2>&1 | head -1)"
bash "$shared/wrk-compare.sh" -r "$rounds" -d "$dur" -c "$conns" -w "$warm" -C 0 \
  nginx=127.0.0.1:$nginx_port clb-ingress=127.0.0.1:$clb_port
