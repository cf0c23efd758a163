#!/usr/bin/env bash
# What edge policies cost on the hot path: HTTP/1.1 through nginx and two clb-ingress processes to
# the same nginx static backend, in the same run, in alternating rounds: one whose route has no
# policy, one whose route has an allow list (whitelist-source-range 127.0.0.0/8, so every request
# is checked and served) and CORS (enable-cors with an origin list). Every request of every target
# carries the Origin the list allows, so CORS adds its headers to every answer. Keep-alive
# (wrk -c CONNECTIONS) and a new connection per request ("Connection: close", 16 connections).
#
# usage: hack/bench/policy-cost.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target and mode, 64 connections; the JVM flags of
#   hack/run-standalone.sh unless CLB_JAVA_OPTS says otherwise.
# needs: wrk nginx taskset python3 curl and the built jar.
# prints: every round's figures, then a Markdown table of medians and ratios to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites wrk nginx taskset python3 curl
export CLB_JAVA_OPTS=${CLB_JAVA_OPTS:-"-XX:+UseParallelGC -Xms256m -Xmx256m"}
origin=https://app.example.com
bench_start policy
bench_backend "${ports[0]}"
bench_proxy nginx "${ports[1]}" "${ports[0]}"
start_clb "$run/plain" "${ports[0]}" "${ports[2]}" "${ports[3]}" "${ports[4]}"
bench_wait "http://127.0.0.1:${ports[2]}/"
CLB_BENCH_ANNOTATIONS="nginx.ingress.kubernetes.io/whitelist-source-range: \"127.0.0.0/8\",
  nginx.ingress.kubernetes.io/enable-cors: \"true\", nginx.ingress.kubernetes.io/cors-allow-origin: \"$origin\"" \
  start_clb "$run/policies" "${ports[0]}" "${ports[5]}" "${ports[6]}" "${ports[7]}"
bench_wait "http://127.0.0.1:${ports[5]}/"
# the policies are in force: the answer carries the allowed origin
curl -s -D - -o /dev/null -H "Origin: $origin" "http://127.0.0.1:${ports[5]}/" | grep -qi "^access-control-allow-origin: $origin" \
  || { echo "the route with policies does not answer with CORS headers" >&2; exit 1; }
targets=("nginx=${ports[1]}" "no-policy=${ports[2]}" "allowlist+cors=${ports[5]}")
for round in $(seq "$(bench_first_round)" "$rounds"); do
  for target in "${targets[@]}"; do
    bench_wrk "HTTP keep-alive" "${target%%=*}" "$round" "http://127.0.0.1:${target#*=}/" -c"$conns" -H "Origin: $origin"
    bench_wrk "HTTP new connection per request" "${target%%=*}" "$round" "http://127.0.0.1:${target#*=}/" \
      -c16 -H "Connection: close" -H "Origin: $origin"
  done
done
bench_finish
