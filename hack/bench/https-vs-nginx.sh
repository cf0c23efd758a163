#!/usr/bin/env bash
# HTTPS through nginx, HAProxy and clb-ingress to the same nginx static backend, in the same run, in
# alternating rounds: keep-alive (wrk -c CONNECTIONS) and a TLS handshake per request (every request
# on a new connection, "Connection: close", 16 connections). All terminate TLS 1.2/1.3 with one RSA-2048
# certificate made here (clb-ingress: as --default-cert, since wrk sends no SNI for an IP address).
# TLS session caches and tickets are left at each proxy's default; all three resume sessions and
# wrk resumes them on its new connections, so the handshakes are mostly resumptions.
#
# usage: hack/bench/https-vs-nginx.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target and mode, 64 connections.
# needs: wrk nginx haproxy openssl taskset python3 and the built jar.
# prints: every round's figures, then a Markdown table of medians and ratios to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites wrk nginx haproxy openssl taskset python3 curl
bench_start https
bench_cert
bench_backend "${ports[0]}"
bench_proxies "${ports[0]}" tls
bench_wrk_rounds https
bench_finish
