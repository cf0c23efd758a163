#!/usr/bin/env bash
# WebSocket echo through nginx, HAProxy and clb-ingress to the same echo server (node, npm ws), in
# the same run, in alternating rounds: CONNECTIONS WebSockets each send a 100-byte message and wait
# for its echo, again and again (hack/bench/ws-client.js echo, on cpu 0). Records messages per
# second, p99 round trip and errors (WebSockets that failed to open or closed early).
#
# usage: hack/bench/ws-echo.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target, 64 WebSockets.
# needs: nginx haproxy taskset python3 node, the npm ws package of e2e/ (cd e2e && npm ci), the jar.
# prints: every round's figures, then a Markdown table of medians and ratios to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites nginx haproxy taskset python3 curl ws
bench_start ws-echo
bench_ws_echo "${ports[0]}"
bench_proxies "${ports[0]}"

for round in $(seq "$(bench_first_round)" "$rounds"); do
  seconds=$(bench_seconds "$([ "$round" = 0 ] && echo "$warm" || echo "$dur")")
  for target in "${targets[@]}"; do
    out=$run/echo-$round-${target%%=*}.json
    ws_client echo "ws://127.0.0.1:${target#*=}/" "$conns" "$seconds" > "$out" || true
    [ "$round" = 0 ] && continue
    read -r rate p99 errors < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1])); print(r.get("perSecond", 0), r.get("p99Ms", 0), r["failed"] + r.get("closedEarly", 0))' "$out")
    bench_record "WebSocket echo msg/s" "${target%%=*}" "$round" "$rate"
    bench_record "WebSocket echo p99 ms" "${target%%=*}" "$round" "$p99"
    bench_record "WebSocket echo errors" "${target%%=*}" "$round" "$errors"
  done
done
bench_finish
