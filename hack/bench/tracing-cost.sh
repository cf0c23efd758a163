#!/usr/bin/env bash
# What tracing costs on the hot path (issue 14): HTTP/1.1 keep-alive through nginx and three
# clb-ingress processes to the same nginx static backend, in alternating rounds: tracing off (no
# --otlp-endpoint), on with every trace sampled (--trace-sample-ratio 1.0) and on with the default
# ratio (0.01). Requests carry no traceparent, so each starts a trace at the data plane; every
# backend request gets a traceparent either way. Spans go to an OTLP/HTTP sink (a Python server
# that answers 200 to every POST /v1/traces) on the same machine.
#
# usage: hack/bench/tracing-cost.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target, 64 connections; the JVM flags of
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
bench_start tracing
bench_backend "${ports[0]}"
bench_proxy nginx "${ports[1]}" "${ports[0]}"
sink=${ports[11]}
taskset -c 0 python3 -c '
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()' "$sink" &
bench_pids+=($!)
start_clb "$run/off" "${ports[0]}" "${ports[2]}" "${ports[3]}" "${ports[4]}"
start_clb "$run/all" "${ports[0]}" "${ports[5]}" "${ports[6]}" "${ports[7]}" \
  --otlp-endpoint "http://127.0.0.1:$sink" --trace-sample-ratio 1.0
start_clb "$run/default" "${ports[0]}" "${ports[8]}" "${ports[9]}" "${ports[10]}" \
  --otlp-endpoint "http://127.0.0.1:$sink"
for port in "${ports[2]}" "${ports[5]}" "${ports[8]}"; do
  bench_wait "http://127.0.0.1:$port/"
done
targets=("nginx=${ports[1]}" "tracing-off=${ports[2]}" "sampled-1.0=${ports[5]}" "sampled-0.01=${ports[8]}")
for round in $(seq "$(bench_first_round)" "$rounds"); do
  for target in "${targets[@]}"; do
    bench_wrk "HTTP keep-alive" "${target%%=*}" "$round" "http://127.0.0.1:${target#*=}/" -c"$conns"
  done
done
# the sampled data plane exported spans and dropped how many (its queue is bounded)
curl -s "http://127.0.0.1:${ports[7]}/metrics" | grep '^clb_tracing_spans_dropped_total' || true
bench_finish
