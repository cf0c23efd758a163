#!/usr/bin/env bash
# HTTPS through clb-ingress and through nginx, same backend, same machine, same run, alternating
# rounds: keep-alive requests per second (and p99), and new TLS handshakes per second (every
# request on a new connection, "Connection: close"). All terminate TLS 1.2/1.3 with the same
# RSA-2048 certificate made with openssl here (clb-ingress: as --default-cert, since wrk sends no
# SNI for an IP address). clb-ingress runs twice: with its default TLS engine (openssl, i.e.
# BoringSSL) and with --tls-engine jdk. Warm-up covers both modes on every proxy.
#
# usage: hack/bench/https-vs-nginx.sh [-r ROUNDS] [-d DURATION] [-c CONNECTIONS] [-w WARMUP]
# needs: wrk, nginx, openssl, the built jar, ../shared/bench (or SHARED_BENCH=DIR) for the backend.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=3 dur=10s conns=64 warm=30s
while getopts "r:d:c:w:" o; do case $o in
  r) rounds=$OPTARG;; d) dur=$OPTARG;; c) conns=$OPTARG;; w) warm=$OPTARG;; *) sed -n 2,11p "$0"; exit 2;; esac; done
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
shared=${SHARED_BENCH:-../shared/bench}
bench_prerequisites wrk nginx openssl taskset

run=$(pwd)/hack/bench/run/https-$(date +%Y%m%d-%H%M%S); mkdir -p "$run/tmp"
export BENCH_RUN=$run
backend=18291 nginx_tls=18292 clb_tls=18293 clb_http=18294 admin=18295 jdk_tls=18296 jdk_http=18297 jdk_admin=18298
cleanup() {
  if [ -f "$run/nginx.pid" ]; then kill "$(cat "$run/nginx.pid")" 2>/dev/null || true; fi
  bash "$shared/nginx-backend.sh" stop $backend >/dev/null 2>&1 || true
  for pid in "${clb_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
clb_pids=()
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench.example.com \
  -addext subjectAltName=DNS:bench.example.com -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
bash "$shared/nginx-backend.sh" start $backend 1
cat > "$run/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $(ulimit -Hn);
pid $run/nginx.pid;
error_log $run/nginx-error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path $run/tmp; proxy_temp_path $run/tmp; fastcgi_temp_path $run/tmp; uwsgi_temp_path $run/tmp; scgi_temp_path $run/tmp;
  keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$backend; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$nginx_tls ssl reuseport;
    ssl_certificate $run/cert.pem;
    ssl_certificate_key $run/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; }
  }
}
CONF
taskset -c 1 nginx -p "$run" -c "$run/nginx.conf"

mkdir -p "$run/manifests"
cat > "$run/manifests/certificate.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata: {name: bench-tls, namespace: bench}
type: kubernetes.io/tls
data: {tls.crt: $(base64 -w0 "$run/cert.pem"), tls.key: $(base64 -w0 "$run/key.pem")}
YAML
start_clb "$run" $backend $clb_http $clb_tls $admin --default-cert bench/bench-tls
start_clb "$run" $backend $jdk_http $jdk_tls $jdk_admin --default-cert bench/bench-tls --tls-engine jdk
for port in $clb_tls $jdk_tls; do
  curl -sf --cacert "$run/cert.pem" --resolve "bench.example.com:$port:127.0.0.1" "https://bench.example.com:$port/" >/dev/null \
    || { echo "clb-ingress on $port does not answer with the bench certificate; see $run/clb-ingress-*.log" >&2; exit 1; }
done
curl -sfk "https://127.0.0.1:$nginx_tls/" >/dev/null || { echo "nginx does not answer" >&2; exit 1; }

echo "# clb-ingress $(git rev-parse --short HEAD 2>/dev/null || echo dev) vs nginx $(nginx -v 2>&1 | sed 's/.*\///'), wrk on cpu 0, proxies and backend on cpu 1"
measure() { # name port mode round
  local extra=() file="$run/$4-$3-$1.txt"
  [ "$3" = handshake ] && extra=(-H "Connection: close")
  local c=$conns; [ "$3" = handshake ] && c=16
  taskset -c 0 wrk -t1 -c"$c" -d"$dur" --latency "${extra[@]}" "https://127.0.0.1:$2/" > "$file" 2>&1 || true
  echo "round $4 $3 $1: $(grep -E 'Requests/sec' "$file" | tr -s ' ') p99 $(grep -E '^ +99%' "$file" | awk '{print $2}')"
}
for port in $nginx_tls $clb_tls $jdk_tls; do
  taskset -c 0 wrk -t1 -c"$conns" -d"$warm" "https://127.0.0.1:$port/" > /dev/null 2>&1 || true
  taskset -c 0 wrk -t1 -c16 -d"$warm" -H "Connection: close" "https://127.0.0.1:$port/" > /dev/null 2>&1 || true
done
for r in $(seq 1 "$rounds"); do
  for mode in keepalive handshake; do
    measure nginx $nginx_tls $mode "$r"
    measure clb-ingress $clb_tls $mode "$r"
    measure clb-ingress-jdk $jdk_tls $mode "$r"
  done
done
python3 - "$run" "$rounds" <<'PY'
import re, statistics, sys
run, rounds = sys.argv[1], int(sys.argv[2])
def rps(f):
    m = re.search(r'Requests/sec:\s+([\d.]+)', open(f).read())
    return float(m.group(1)) if m else 0.0
def median(mode, name):
    return statistics.median(rps(f'{run}/{r}-{mode}-{name}.txt') for r in range(1, rounds + 1))
print('\n| mode | nginx req/s | clb-ingress (openssl) req/s | ratio | clb-ingress (jdk) req/s | ratio |')
print('|---|---|---|---|---|---|')
for mode in ('keepalive', 'handshake'):
    n, c, j = median(mode, 'nginx'), median(mode, 'clb-ingress'), median(mode, 'clb-ingress-jdk')
    print(f'| {mode} | {n:,.0f} | {c:,.0f} | {c / n:.2f} | {j:,.0f} | {j / n:.2f} |')
print('(medians of the rounds)')
PY
