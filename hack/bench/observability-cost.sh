#!/usr/bin/env bash
# What the access log and tracing cost on the hot path: HTTP/1.1 through nginx (access_log off) and
# four clb-ingress processes to the same nginx static backend, in the same run, in alternating
# rounds: the access log off, the access log on (JSON lines to the process's standard output,
# a file here; --access-log json, the default), and tracing to an OTLP/HTTP sink (an nginx that
# answers 200) with every trace sampled (--trace-sample-ratio 1.0) and one in a hundred (0.01, the
# default), the access log off in both. Keep-alive (wrk -c CONNECTIONS) and a new connection per
# request ("Connection: close", 16 connections).
#
# usage: hack/bench/observability-cost.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target and mode, 64 connections; the JVM flags of
#   hack/run-standalone.sh unless CLB_JAVA_OPTS says otherwise.
# needs: wrk nginx taskset python3 curl and the built jar.
# prints: every round's figures, then a Markdown table of medians and ratios to nginx; checks that
#   the log has lines and the sink received spans.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
bench_options "$@"
bench_prerequisites wrk nginx taskset python3 curl
export CLB_JAVA_OPTS=${CLB_JAVA_OPTS:-"-XX:+UseParallelGC -Xms256m -Xmx256m"}
bench_start observability
bench_backend "${ports[0]}"
bench_proxy nginx "${ports[1]}" "${ports[0]}"
sink=${ports[11]}
nginx_start "otlp-sink" "listen 127.0.0.1:$sink; access_log $run/otlp-sink/access.log;
    location / { return 200; }"
bench_wait "http://127.0.0.1:$sink/"
start_clb "$run/log-off" "${ports[0]}" "${ports[2]}" "${ports[3]}" "${ports[4]}" --access-log off
start_clb "$run/log-json" "${ports[0]}" "${ports[5]}" "${ports[6]}" "${ports[7]}" --access-log json
start_clb "$run/trace-all" "${ports[0]}" "${ports[8]}" "${ports[9]}" "${ports[10]}" --access-log off \
  --otlp-endpoint "http://127.0.0.1:$sink" --trace-sample-ratio 1.0
mapfile -t more < <(bench_free_ports 3)
start_clb "$run/trace-1pct" "${ports[0]}" "${more[0]}" "${more[1]}" "${more[2]}" --access-log off \
  --otlp-endpoint "http://127.0.0.1:$sink" --trace-sample-ratio 0.01
for port in "${ports[2]}" "${ports[5]}" "${ports[8]}" "${more[0]}"; do
  bench_wait "http://127.0.0.1:$port/"
done
targets=("nginx=${ports[1]}" "log-off=${ports[2]}" "log-json=${ports[5]}" "trace-1.0=${ports[8]}"
  "trace-0.01=${more[0]}")
for round in $(seq "$(bench_first_round)" "$rounds"); do
  for target in "${targets[@]}"; do
    bench_wrk "HTTP keep-alive" "${target%%=*}" "$round" "http://127.0.0.1:${target#*=}/" -c"$conns"
    bench_wrk "HTTP new connection per request" "${target%%=*}" "$round" "http://127.0.0.1:${target#*=}/" \
      -c16 -H "Connection: close"
  done
done
# what was measured was on: access log lines were written, spans were exported
lines=$(grep -c '"status":200' "$run/log-json/clb-ingress-${ports[5]}.log" || true)
[ "$lines" -gt 0 ] || { echo "the access log wrote no request line" >&2; exit 1; }
grep -q 'POST /v1/traces' "$run/otlp-sink/access.log" \
  || { echo "the OTLP sink received no spans" >&2; exit 1; }
echo "# access log lines written: $lines; OTLP exports received: $(grep -c 'POST /v1/traces' "$run/otlp-sink/access.log")"
bench_finish
