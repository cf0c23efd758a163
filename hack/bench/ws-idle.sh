#!/usr/bin/env bash
# Memory per idle WebSocket in nginx, HAProxy and clb-ingress, in alternating rounds. Each round
# starts the proxy afresh in front of the echo server (node, npm ws), opens and closes
# min(WEBSOCKETS, 500) WebSockets as a warm-up, reads its memory, opens WEBSOCKETS idle WebSockets
# (hack/bench/ws-client.js idle, on cpu 0), reads its memory again, and records the growth divided
# by the number open: RSS (nginx: master and worker) and, for the JVM, the live heap after a full GC.
#
# usage: hack/bench/ws-idle.sh [-r ROUNDS] [-n WEBSOCKETS]
#   defaults: 3 rounds, 5,000 WebSockets (each costs the proxy 2 file descriptors: mind the hard
#   ulimit -n). -d, -w and -c are accepted (run-all.sh passes them) and not used.
# needs: nginx haproxy taskset python3 jcmd node, the npm ws package of e2e/ (cd e2e && npm ci), the jar.
# prints: every round's figures, then a Markdown table of medians and ratios to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites nginx haproxy taskset python3 curl jcmd ws
bench_start ws-idle
bench_ws_echo "${ports[0]}"

# hold_idle URL N NAME: opens N idle WebSockets in the background ($client) and waits until all
# have opened or failed (the client then writes the number open to $run/NAME.ready).
hold_idle() {
  bench_bg 0 node hack/bench/ws-client.js idle "$1" "$2" "$run/$3.ready" > "$run/$3.json"
  client=$bench_pid
  while [ ! -s "$run/$3.ready" ]; do
    kill -0 "$client" 2>/dev/null || { echo "the WebSocket client stopped, see $run/$3.json" >&2; return 1; }
    sleep 0.1
  done
}

# per_conn KIB: KIB divided by the number of WebSockets $open.
per_conn() { awk -v d="$1" -v n="$open" 'BEGIN {printf "%.2f", n ? d / n : 0}'; }

for round in $(seq 1 "$rounds"); do
  for target in nginx haproxy clb-ingress; do
    bench_proxy "$target" "${ports[1]}" "${ports[0]}"
    url=ws://127.0.0.1:${ports[1]}/
    hold_idle "$url" $((websockets < 500 ? websockets : 500)) "warm-$round-$target"
    bench_stop "$client" || true
    rss0=$(bench_rss_kib "$proxy_pid")
    [ "$target" = clb-ingress ] && heap0=$(bench_heap_kib "$proxy_pid")
    hold_idle "$url" "$websockets" "idle-$round-$target"
    rss1=$(bench_rss_kib "$proxy_pid")
    [ "$target" = clb-ingress ] && heap1=$(bench_heap_kib "$proxy_pid")
    errors=0
    bench_stop "$client" || errors=$(python3 -c 'import json, sys
lines = open(sys.argv[1]).read().split()
r = json.loads(lines[-1]) if lines else {"failed": -1}; print(r["failed"] + r.get("closedWhileHeld", 0))' "$run/idle-$round-$target.json")
    open=$(cat "$run/idle-$round-$target.ready")
    bench_record "idle WebSocket RSS KiB/conn" "$target" "$round" "$(per_conn $((rss1 - rss0)))"
    [ "$target" = clb-ingress ] && bench_record "idle WebSocket live heap KiB/conn" "$target" "$round" "$(per_conn $((heap1 - heap0)))"
    bench_record "idle WebSocket errors" "$target" "$round" "$errors"
    bench_stop "$proxy_pid" || true
  done
done
bench_finish
