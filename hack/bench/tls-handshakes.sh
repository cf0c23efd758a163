#!/usr/bin/env bash
# New TLS handshakes per second through nginx, HAProxy and clb-ingress, with session resumption
# refused and used, in the same run, in alternating rounds. Each proxy terminates TLS with the same
# certificate made here (clb-ingress: as --default-cert), RSA-2048 or, with BENCH_KEY=ecdsa, ECDSA
# P-256 (the rows then say "ECDSA"), and keeps its default session cache and tickets. Each
# measurement runs CLIENTS `openssl s_time` clients in parallel on cpu 0 (each connection is a
# handshake and a close, no request) and counts the handshakes completed:
#   - TLS 1.3 full handshakes (s_time -new -tls1_3);
#   - TLS 1.2 full handshakes (s_time -new -tls1_2: the client never offers a session);
#   - TLS 1.2 resumed handshakes (s_time -reuse -tls1_2: the proxy's session cache, offered and used).
# (s_time does not resume TLS 1.3 sessions, so resumption is measured on TLS 1.2.)
#
# usage: hack/bench/tls-handshakes.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CLIENTS]
#   defaults: 3 rounds of 10s, 30s of warm-up per target and mode, 4 clients (-c above 16 counts as 16).
# needs: nginx haproxy openssl taskset python3 curl and the built jar.
# prints: every round's figures (handshakes/s, and each proxy's CPU ms per 1,000 handshakes, which
# still tells the proxies apart when the clients' core is the limit; lower is better, and so is a
# lower ratio), then a Markdown table of medians and ratios to nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
[[ " $* " == *" -c "* ]] || set -- "$@" -c 4
bench_options "$@"
clients=$((conns < 16 ? conns : 16))
bench_prerequisites nginx haproxy openssl taskset python3 curl
bench_start tls-handshakes
bench_cert
key_label=
if [ "${BENCH_KEY:-rsa}" = ecdsa ]; then key_label=" ECDSA"; fi
bench_backend "${ports[0]}"
bench_proxies "${ports[0]}" tls

# s_time_rate LABEL TARGET ROUND PORT S_TIME_FLAGS...: $clients clients for the round's duration;
# records LABEL handshakes/s and the proxy's CPU time per 1,000 of them (the warm-up, round 0,
# records nothing). The CPU figure tells the proxies apart when the clients' core is the limit.
s_time_rate() {
  local label=$1 target=$2 round=$3 port=$4 seconds i total ticks
  shift 4
  seconds=$(bench_seconds "$([ "$round" = 0 ] && echo "$warm" || echo "$dur")")
  local pids=() out=$run/s_time-$round-$target-${label//[^a-zA-Z0-9]/_}
  ticks=$(bench_cpu_ticks "${proxy_pids[$target]}")
  for i in $(seq 1 "$clients"); do
    taskset -c 0 openssl s_time -connect "127.0.0.1:$port" "$@" -time "$seconds" > "$out-$i.txt" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  ticks=$(($(bench_cpu_ticks "${proxy_pids[$target]}") - ticks))
  [ "$round" = 0 ] && return 0
  total=$(cat "$out"-*.txt | awk '/connections in .* real seconds/ {s += $1} END {print s + 0}')
  bench_record "$label handshakes/s" "$target" "$round" "$(awk -v n="$total" -v s="$seconds" 'BEGIN {printf "%.0f", n / s}')"
  bench_record "$label proxy CPU ms per 1,000 handshakes" "$target" "$round" \
    "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$total" 'BEGIN {printf "%.0f", n ? t * 1000 / hz * 1000 / n : 0}')"
}

for round in $(seq "$(bench_first_round)" "$rounds"); do
  for target in "${targets[@]}"; do
    name=${target%%=*} port=${target#*=}
    s_time_rate "TLS 1.3 full$key_label" "$name" "$round" "$port" -new -tls1_3
    s_time_rate "TLS 1.2 full$key_label" "$name" "$round" "$port" -new -tls1_2
    s_time_rate "TLS 1.2 resumed$key_label" "$name" "$round" "$port" -reuse -tls1_2
  done
done
bench_finish
