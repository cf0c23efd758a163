#!/usr/bin/env bash
# Where clb-ingress spends per request on the HTTP/1.1 keep-alive path: bytes allocated per proxied
# request (JFR's per-thread allocation counters over the measured window, divided by the requests
# wrk made), the top allocation sites and the top CPU frames. For judging hot-path changes
# (compare two builds with CLB_JAR, two JVMs with CLB_JAVA / CLB_JAVA_OPTS); no nginx comparison.
#
# usage: [ALLOC_NEW_CONNECTIONS=1] hack/bench/alloc.sh [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: two windows of 10s measured after 30s of warm-up, 64 connections. -r is accepted and not used.
#   ALLOC_NEW_CONNECTIONS=1: a new connection per request ("Connection: close"), as http-vs-nginx.sh's
#   second mode (use -c 16 as it does).
# needs: wrk nginx taskset python3 curl jcmd jfr (apt-get install -y wrk nginx) and the built jar.
# prints: CPU time per request (the process's user+system time from /proc over a first measured
#   window, without the recording), then requests and bytes per request over a second one (JFR), the
#   top allocation sites and CPU frames.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites wrk nginx taskset python3 curl jcmd jfr
bench_start alloc
bench_backend "${ports[0]}"
start_clb "$run" "${ports[0]}" "${ports[1]}" "${ports[2]}" "${ports[3]}"
url=http://127.0.0.1:${ports[1]}/
close=()
[ "${ALLOC_NEW_CONNECTIONS:-0}" != 1 ] || close=(-H "Connection: close")
[ "$warm" = 0 ] || taskset -c 0 wrk -t1 -c"$conns" -d"$warm" "${close[@]}" "$url" > "$run/warm.txt" 2>&1 || true
# CPU per request: user+system clock ticks of the process (fields 14 and 15 of /proc/PID/stat) over
# a measured window without the recording (JFR's sampling would be counted too), then the recording.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$clb_pid/stat"; }
ticks_before=$(cpu_ticks)
taskset -c 0 wrk -t1 -c"$conns" -d"$dur" "${close[@]}" "$url" > "$run/wrk-cpu.txt" 2>&1 || true
ticks_after=$(cpu_ticks)
awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ {print $1}' "$run/wrk-cpu.txt")" \
  'BEGIN {printf "CPU per request: %.1f us (%d ticks of 1/%d s, %d requests)\n", 1e6 * t / hz / (n > 0 ? n : 1), t, hz, n}'
jcmd "$clb_pid" JFR.start name=alloc settings=profile filename="$run/alloc.jfr" > /dev/null
taskset -c 0 wrk -t1 -c"$conns" -d"$dur" "${close[@]}" "$url" > "$run/wrk.txt" 2>&1 || true
jcmd "$clb_pid" JFR.stop name=alloc > /dev/null
requests=$(awk '/requests in/ {print $1}' "$run/wrk.txt")
jfr print --json --events jdk.ThreadAllocationStatistics,jdk.ObjectAllocationSample,jdk.ExecutionSample \
  "$run/alloc.jfr" > "$run/alloc.json"
python3 - "$run/alloc.json" "$requests" <<'PY'
import collections, json, sys
events = json.load(open(sys.argv[1]))["recording"]["events"]
requests = int(sys.argv[2])
first, last = {}, {}
sampled = set()
sites, classes, cpu = collections.Counter(), collections.Counter(), collections.Counter()
inclusive = collections.Counter()
def frame(f):
    m = f["method"]
    return m["type"]["name"] + "." + m["name"]
for e in events:
    v, kind = e["values"], e["type"]
    if kind == "jdk.ThreadAllocationStatistics":
        t = v["thread"]["javaName"] if v.get("thread") else str(v.get("thread"))
        first.setdefault(t, v["allocated"])
        last[t] = v["allocated"]
    elif kind == "jdk.ObjectAllocationSample":
        # A thread's first sample weighs all it allocated since its last sample before the
        # recording (once 1.2 GB, 84% of the total): it says nothing of the site, so it is left out.
        t = v["eventThread"]["javaName"] if v.get("eventThread") else "?"
        if t not in sampled:
            sampled.add(t)
            continue
        frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        own = next((frame(f) for f in frames if "clbingress" in f["method"]["type"]["name"]), "-")
        top = frame(frames[0]) if frames else "?"
        sites[top + "  <- " + own] += v["weight"]
        classes[v["objectClass"]["name"]] += v["weight"]
    elif kind == "jdk.ExecutionSample":
        frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        if frames:
            cpu[frame(frames[0])] += 1
            for name in {frame(f) for f in frames}:
                if name.startswith(("io/clbingress", "io/netty/handler/codec", "io/micrometer")):
                    inclusive[name] += 1
allocated = sum(last[t] - first[t] for t in last)
print(f"requests: {requests}")
print(f"bytes allocated per request: {allocated / max(requests, 1):.0f}")
def shares(title, counter, total, most):
    print(f"\n{title}:")
    for name, n in counter.most_common(most):
        print(f"  {100 * n / (total or 1):5.1f}%  {name}")
total = sum(sites.values())
shares("top allocation sites (share of sampled bytes; top frame <- nearest clb-ingress frame)", sites, total, 20)
shares("top allocated classes", classes, total, 12)
samples = sum(cpu.values())
shares("top CPU frames (share of Java samples)", cpu, samples, 15)
shares("inclusive CPU of clb-ingress, codec and metrics methods (share of Java samples with it on the stack)",
       inclusive, samples, 25)
PY
