#!/usr/bin/env bash
# HTTP/1.1 through nginx, HAProxy and clb-ingress to the same nginx static backend (100-byte body),
# in the same run, in alternating rounds: keep-alive (wrk -c CONNECTIONS) and a new connection per
# request ("Connection: close", 16 connections). Records req/s, p99 and errors of each round.
#
# usage: hack/bench/http-vs-nginx.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target and mode, 64 connections.
# needs: wrk nginx haproxy taskset python3 (apt-get install -y wrk nginx haproxy) and the built jar.
# prints: every round's figures, then a Markdown table of medians and ratios to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites wrk nginx haproxy taskset python3 curl
bench_start http
bench_backend "${ports[0]}"
bench_proxies "${ports[0]}"
bench_wrk_rounds http
bench_finish
