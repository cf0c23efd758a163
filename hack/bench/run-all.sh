#!/usr/bin/env bash
# Every comparison of clb-ingress with nginx and HAProxy, in one run, each in alternating rounds:
# HTTP/1.1 keep-alive and a new connection per request (http-vs-nginx.sh), the same over HTTPS
# (https-vs-nginx.sh), new TLS handshakes with and without resumption (tls-handshakes.sh),
# WebSocket echo (ws-echo.sh) and idle WebSocket memory (ws-idle.sh). Prints the machine, the
# versions and one Markdown table of medians and ratios to nginx.
#
# usage: hack/bench/run-all.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS] [-n WEBSOCKETS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target and mode (-w 0: none), 64 connections, 5,000 idle
#   WebSockets. Method: wrk -t1 and the WebSocket client pinned to cpu 0, proxies and backends on
#   cpu 1, clb-ingress with --event-loops 1.
# needs: wrk nginx haproxy openssl taskset python3 jcmd node (apt-get install -y wrk nginx haproxy),
#   the npm ws package of e2e/ (cd e2e && npm ci), and the jar (built when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites wrk nginx haproxy openssl taskset python3 curl jcmd ws
results=$(pwd)/hack/bench/run/all-$(date +%Y%m%d-%H%M%S)-$$.tsv
mkdir -p "$(dirname "$results")"
: > "$results"
for script in http-vs-nginx https-vs-nginx tls-handshakes ws-echo ws-idle; do
  BENCH_RESULTS=$results "hack/bench/$script.sh" "$@"
done

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), clb-ingress $(git rev-parse --short HEAD 2>/dev/null || echo dev), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'))"
echo "$(java -version 2>&1 | sed -n 2p), nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "command: hack/bench/run-all.sh $*; rounds: $results"
echo
bench_table "$results"
