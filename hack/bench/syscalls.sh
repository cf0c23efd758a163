#!/usr/bin/env bash
# System calls per proxied request on clb-ingress's event loop, HTTP/1.1 keep-alive and a new
# connection per request ("Connection: close"), counted by strace over a wrk run. A count, not a
# time: it stays the same on a busy machine, where req/s ratios do not, so it judges a change to
# the accept, read, write or close path (compare two builds with CLB_JAR). strace slows the event
# loop down a lot while it counts: the req/s of these runs mean nothing.
#
# usage: hack/bench/syscalls.sh [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 5s counted per mode after 30s of warm-up per mode, 64 keep-alive connections (16 for
#   a new connection per request, as http-vs-nginx.sh). -r is accepted and not used.
# needs: wrk nginx taskset curl strace (apt-get install -y wrk nginx strace) and the built jar; the
#   right to trace the process (root, or kernel.yama.ptrace_scope 0).
# prints: the socket transport in use (on io_uring, the default where the kernel allows it, reads,
#   writes, accepts and closes go in batches through io_uring_enter and are not counted one by one:
#   CLB_TRANSPORT=epoll counts each), then per mode the requests wrk made and each system call's
#   count per request, then the total.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
[ "$dur" != 10s ] || dur=5s # lib.sh's default duration; a count needs less
bench_prerequisites wrk nginx taskset curl strace
bench_start syscalls
bench_backend "${ports[0]}"
start_clb "$run" "${ports[0]}" "${ports[1]}" "${ports[2]}" "${ports[3]}"
url=http://127.0.0.1:${ports[1]}/
grep -ho 'socket transport: [a-z_]*' "$run/clb-ingress-${ports[1]}.log" | head -1
# --event-loops 1: the one event loop thread serves every connection
loop_tid=$(grep -l '^vert.x-eventloo' /proc/"$clb_pid"/task/*/comm | head -1 | cut -d/ -f5)
[ -n "$loop_tid" ] || { echo "no event loop thread in process $clb_pid" >&2; exit 1; }
for mode in keep-alive new-connection; do
  args=(-t1 -c"$conns")
  [ "$mode" = keep-alive ] || args=(-t1 -c16 -H "Connection: close")
  [ "$warm" = 0 ] || taskset -c 0 wrk "${args[@]}" -d"$warm" "$url" > "$run/warm-$mode.txt" 2>&1 || true
  strace -c -p "$loop_tid" -o "$run/strace-$mode.txt" 2> "$run/strace-$mode.log" &
  tracer=$!
  # strace reports "attached" on stderr once it traces the thread
  for _ in $(seq 1 50); do grep -q attached "$run/strace-$mode.log" 2>/dev/null && break; sleep 0.1; done
  taskset -c 0 wrk "${args[@]}" -d"$dur" "$url" > "$run/wrk-$mode.txt" 2>&1 || true
  kill -INT "$tracer"
  wait "$tracer" || true
  requests=$(awk '/requests in/ {print $1}' "$run/wrk-$mode.txt")
  echo "$mode: $requests requests; system calls per request on the event loop:"
  # strace -c's table: "% time seconds usecs/call calls [errors] syscall", then a "total" line
  awk -v requests="$requests" '
    $NF == "total" { printf "  %-14s %6.2f\n", "total", $4 / requests; next }
    $4 ~ /^[0-9]+$/ && $NF ~ /^[a-z_0-9]+$/ && $4 / requests >= 0.01 { printf "  %-14s %6.2f\n", $NF, $4 / requests }
  ' "$run/strace-$mode.txt"
done
