#!/usr/bin/env bash
# How fast a large configuration is applied (standalone): INGRESSES Ingresses (each with its
# Service and EndpointSlice) in FILES files are written into the manifest folder, and the time until
# the last of them is served is taken; then one Ingress among them changes (its host is renamed, its
# file rewritten) and the time until the new host is served is taken; then every file is removed
# (time until the last host is gone). After the rounds, with the Ingresses in place, wrk loads one
# route in alternating rounds without and with one Ingress changing every second: req/s of both
# and the dip, and how long each change took under that load. The probe (hack/bench/apply-10k.py)
# asks every 2 ms on one keep-alive connection. The CPU time clb-ingress used for the whole load and
# for one change is reported as well (figures that a shared machine disturbs less than durations).
#
# With -s SECONDS, after the rounds and before wrk, one Ingress changes every second for SECONDS
# without load: the steady state of a running process (the first half warms the JIT up and is not
# recorded; the rounds before run on a JVM still compiling).
#
# With -p CPUS, clb-ingress runs on those cpus (taskset's list, e.g. 0,1: the changed files are
# parsed in parallel) instead of cpu 1 alone; wrk and the probe stay on cpu 0.
#
# usage: hack/bench/apply-10k.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS] [-n INGRESSES] [-f FILES] [-s SECONDS] [-p CPUS]
#   defaults: 5 rounds, wrk rounds of 10s after 20s of warm-up (-w 0: none), 64 connections, 10,000
#   Ingresses in 100 files, no steady-state changes (-s 0). Method: wrk -t1 and the probe pinned to cpu 0, clb-ingress (--event-loops 1)
#   and the nginx backend on cpu 1.
# needs: wrk nginx taskset python3 curl (apt-get install -y wrk nginx) and the built jar.
# prints: every round's figures (milliseconds), then a Markdown table of medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
rounds=5 dur=10s warm=20s conns=64 ingresses=10000 files=100 steady=0
while getopts "r:d:w:c:n:f:s:p:h" o; do
  case $o in
    r) rounds=$OPTARG;; d) dur=$OPTARG;; w) warm=$OPTARG;; c) conns=$OPTARG;; n) ingresses=$OPTARG;; f) files=$OPTARG;;
    s) steady=$OPTARG;;
    p) export CLB_CPUS=$OPTARG;;
    *) bench_usage >&2; exit 2;;
  esac
done
bench_prerequisites wrk nginx taskset python3 curl
bench_start apply-10k
backend=${ports[0]} http=${ports[1]}
bench_backend "$backend"
start_clb "$run" "$backend" "$http" "${ports[2]}" "${ports[3]}"
echo "# clb-ingress pid $clb_pid, $ingresses Ingresses in $files files"
# The folder holds only what this script writes: without start_clb's host-less Ingress, an unknown host gets 404.
rm "$run/manifests/bench.yaml"
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/")" = 404 ]; do sleep 0.1; done

# apply ROUND COMMAND [ARGS...]: one hack/bench/apply-10k.py command on cpu 0, its figures recorded.
apply() {
  local round=$1 metric value
  shift
  while IFS=$'\t' read -r metric _ value; do
    bench_record "$metric" clb-ingress "$round" "$value"
  done < <(taskset -c 0 python3 hack/bench/apply-10k.py "$@" --round "$round" --manifests "$run/manifests" \
    --ingresses "$ingresses" --files "$files" --backend "$backend" --port "$http" --pid "$clb_pid")
}

for round in $(seq 1 "$rounds"); do
  apply "$round" create
  apply "$round" change
  [ "$round" = "$rounds" ] || apply "$round" remove
done

if [ "$steady" -gt 0 ]; then
  # the first half is a warm-up: its figures are not recorded
  taskset -c 0 python3 hack/bench/apply-10k.py churn --metric steady --seconds $((steady / 2)) --manifests "$run/manifests" \
    --ingresses "$ingresses" --files "$files" --backend "$backend" --port "$http" > /dev/null
  apply 1 churn --seconds $((steady - steady / 2)) --metric steady
fi

# req/s on one route, without and with one Ingress changing every second.
url=http://127.0.0.1:$http/
for round in $(seq "$(bench_first_round)" "$rounds"); do
  bench_wrk "one route, no change" clb-ingress "$round" "$url" -c"$conns" -H "Host: app-0.bench"
  [ "$round" = 0 ] && continue
  apply "$round" churn --seconds "$(bench_seconds "$dur")" > "$run/churn-$round.txt" &
  churn=$!
  bench_wrk "one route, a change a second" clb-ingress "$round" "$url" -c"$conns" -H "Host: app-0.bench"
  wait "$churn"
  cat "$run/churn-$round.txt"
  quiet=$(awk '/^Requests\/sec:/ {print $2}' "$run/wrk-$round-clb-ingress-one_route__no_change.txt")
  busy=$(awk '/^Requests\/sec:/ {print $2}' "$run/wrk-$round-clb-ingress-one_route__a_change_a_second.txt")
  bench_record "one route: req/s dip with a change a second %" clb-ingress "$round" \
    "$(python3 -c "print(round(100 * (1 - $busy / $quiet), 1) if $quiet else 0)")"
done
bench_finish
