# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run). Everything they start runs on loopback from
# configurations written here: an nginx static backend, nginx and HAProxy as proxies with equal
# settings (one worker/thread, upstream keep-alive, a shutdown timeout), a WebSocket echo server,
# and clb-ingress standalone. Method: load generators pinned to cpu 0, everything else on cpu 1,
# a warm-up of every target before the first measured round, rounds alternating between targets,
# medians and ratios to nginx.

# Processes started here (bench_bg, start_clb), stopped by bench_cleanup; kept if the caller has some.
declare -ga bench_pids clb_pids

# bench_usage: prints the calling script's header comment.
bench_usage() {
  sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
}

# bench_options "$@": -r ROUNDS -d DURATION -w WARMUP (0: none) -c CONNECTIONS -n WEBSOCKETS (exit 2
# otherwise); sets rounds, dur, warm, conns and websockets, whose defaults are here.
# shellcheck disable=SC2034 # the variables are read by the callers
bench_options() {
  local o OPTIND=1
  rounds=3 dur=10s warm=30s conns=64 websockets=5000
  while getopts "r:d:w:c:n:h" o; do
    case $o in
      r) rounds=$OPTARG;; d) dur=$OPTARG;; w) warm=$OPTARG;; c) conns=$OPTARG;; n) websockets=$OPTARG;;
      *) bench_usage >&2; exit 2;;
    esac
  done
  shift $((OPTIND - 1))
  [ $# -eq 0 ] || { echo "unexpected arguments: $*" >&2; bench_usage >&2; exit 2; }
}

# bench_prerequisites TOOL... : exits 2 naming a missing tool; builds the jar when it is not there.
# The tool "ws" stands for node with the npm ws package of e2e/ (cd e2e && npm ci).
bench_prerequisites() {
  local tool missing=()
  for tool in "$@"; do
    if [ "$tool" = ws ]; then
      command -v node >/dev/null || missing+=(nodejs)
      [ -f e2e/node_modules/ws/package.json ] || { echo "missing the npm ws package: (cd e2e && npm ci)" >&2; exit 2; }
      export NODE_PATH=$PWD/e2e/node_modules
    else
      command -v "$tool" >/dev/null || missing+=("$tool")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing ${missing[*]}: apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  [ -f operator/target/clb-ingress.jar ] || mvn -B -q -DskipTests package
}

# bench_free_ports N: N loopback ports free now, one per line (bound at once, so all different).
bench_free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
for s in socks: print(s.getsockname()[1])' "$1"
}

# bench_start NAME: the run folder ($run, raw output and configurations), the results file
# ($BENCH_RESULTS: "metric<TAB>target<TAB>round<TAB>value" lines; run-all.sh shares one across
# scripts), free loopback ports ($ports, an array), and a cleanup of everything started on exit.
bench_start() {
  run=$(pwd)/hack/bench/run/$1-$(date +%Y%m%d-%H%M%S)-$$
  mkdir -p "$run"
  bench_own_results=
  [ -n "${BENCH_RESULTS:-}" ] || { export BENCH_RESULTS=$run/results.tsv; bench_own_results=1; }
  touch "$BENCH_RESULTS"
  mapfile -t ports < <(bench_free_ports 12)
  ulimit -n "$(ulimit -Hn)"
  trap bench_cleanup EXIT
  echo "# $1: clb-ingress $(git rev-parse --short HEAD 2>/dev/null || echo dev), $(nproc) cores, raw output in $run"
}

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}" "${clb_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

# start_clb RUN_DIR BACKEND_PORT HTTP_PORT HTTPS_PORT ADMIN_PORT [MORE FLAGS...]
# Runs clb-ingress standalone on cpu 1 with one event loop, one host-less Ingress to the backend
# (manifests in RUN_DIR/manifests, where callers may add their own), and waits until it is ready.
# Sets clb_pid and appends it to clb_pids; the log is RUN_DIR/clb-ingress-HTTP_PORT.log.
start_clb() {
  local run=$1 backend=$2 http=$3 https=$4 admin=$5
  shift 5
  mkdir -p "$run/manifests"
  cat > "$run/manifests/bench.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: bench, annotations: {clb.ingress.io/static-endpoints: "127.0.0.1:$backend"}}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: bench, annotations: {${CLB_BENCH_ANNOTATIONS:-}}}
spec:
  ingressClassName: clb
  rules:
  - http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: backend, port: {number: 80}}}}]
YAML
  # CLB_BENCH_ANNOTATIONS (YAML flow-map entries) annotates the Ingress of every route; CLB_CPUS
  # (taskset's list, default 1) is where it runs;
  # CLB_JAVA (a java binary) and CLB_JAVA_OPTS (JVM flags, split on spaces) choose the JVM,
  # CLB_JAR another build of clb-ingress (to compare two commits). The access log is off unless
  # CLB_ACCESS_LOG or a flag says otherwise, as nginx's here (access_log off): what it costs is
  # measured by observability-cost.sh. CLB_SECCOMP (a seccomp profile, as deploy/seccomp/'s) runs it
  # under that profile, loaded as a container runtime loads a pod's (hack/seccomp-exec.py).
  local java_opts=() launcher=()
  read -r -a java_opts <<< "${CLB_JAVA_OPTS:-}"
  [ -z "${CLB_SECCOMP:-}" ] || launcher=(python3 hack/seccomp-exec.py "$CLB_SECCOMP")
  CLB_ACCESS_LOG=${CLB_ACCESS_LOG:-off} taskset -c "${CLB_CPUS:-1}" "${launcher[@]}" "${CLB_JAVA:-java}" "${java_opts[@]}" -jar "${CLB_JAR:-operator/target/clb-ingress.jar}" standalone --manifests "$run/manifests" \
    --bind-address 127.0.0.1 --http-port "$http" --https-port "$https" --admin-port "$admin" --event-loops 1 "$@" \
    > "$run/clb-ingress-$http.log" 2>&1 &
  clb_pid=$!
  clb_pids+=("$clb_pid")
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "clb-ingress did not become ready; see $run/clb-ingress-$http.log" >&2
  return 1
}

# bench_wait URL [CURL ARGS...]: waits up to 30 s until URL answers through to a backend (any HTTP
# status but 404 and 503, which a proxy gives while it has no route or endpoint yet).
bench_wait() {
  local url=$1 i code
  shift
  for i in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
    case $code in 000|404|503) sleep 0.2;; *) return 0;; esac
  done
  echo "no backend answers at $url (last status $code after $i tries); see $run" >&2
  return 1
}

# bench_bg CPU COMMAND...: starts COMMAND pinned to CPU in the background, stopped on exit ($bench_pid).
bench_bg() {
  local cpu=$1
  shift
  taskset -c "$cpu" "$@" &
  bench_pid=$!
  bench_pids+=("$bench_pid")
}

# nginx_start NAME SERVER_BLOCK_BODY [HTTP_LEVEL_LINES]: one nginx, one worker, on cpu 1.
nginx_start() {
  local dir=$run/$1
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $(ulimit -Hn);
worker_shutdown_timeout 240s;  # ingress-nginx's default: old workers drop what they still hold after this
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  keepalive_requests 1000000;
  ${3:-}
  server {
    $2
  }
}
CONF
  bench_bg 1 nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
}

# bench_backend PORT: the nginx static backend; every request gets a 100-byte body.
bench_backend() {
  nginx_start "backend-$1" "listen 127.0.0.1:$1;
    location / { default_type text/plain; return 200 \"$(printf 'x%.0s' $(seq 1 99))\n\"; }"
  bench_wait "http://127.0.0.1:$1/"
}

# bench_cert: a self-signed certificate for bench.example.com in $run (cert.pem, key.pem, and both
# in bundle.pem for HAProxy) and as the Secret bench/bench-tls in $run/manifests. Its key is RSA-2048,
# or ECDSA P-256 with BENCH_KEY=ecdsa (anything else: exit 2).
bench_cert() {
  local key
  case ${BENCH_KEY:-rsa} in
    rsa) key=(-newkey rsa:2048);;
    ecdsa) key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1);;
    *) echo "BENCH_KEY must be rsa or ecdsa, not ${BENCH_KEY}" >&2; exit 2;;
  esac
  openssl req -x509 "${key[@]}" -nodes -days 2 -subj /CN=bench.example.com \
    -addext subjectAltName=DNS:bench.example.com -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
  cat "$run/cert.pem" "$run/key.pem" > "$run/bundle.pem"
  mkdir -p "$run/manifests"
  cat > "$run/manifests/certificate.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata: {name: bench-tls, namespace: bench}
type: kubernetes.io/tls
data: {tls.crt: $(base64 -w0 "$run/cert.pem"), tls.key: $(base64 -w0 "$run/key.pem")}
YAML
}

# bench_nginx PORT UPSTREAM_PORT [tls]: nginx reverse proxy, upstream keep-alive (128 idle), WebSocket
# pass-through; with tls, TLS 1.2/1.3 with bench_cert's certificate. Sets bench_pid.
bench_nginx() {
  local listen="listen 127.0.0.1:$1;" scheme=http
  [ "${3:-}" = tls ] && { scheme=https
    listen="listen 127.0.0.1:$1 ssl; ssl_certificate $run/cert.pem; ssl_certificate_key $run/key.pem; ssl_protocols TLSv1.2 TLSv1.3;"; }
  nginx_start "nginx-$1" "$listen
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Host \$host;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_read_timeout 3600s;
    }" "map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
  upstream backend { server 127.0.0.1:$2; keepalive 128; keepalive_requests 1000000; }"
  local pid=$bench_pid
  bench_wait "$scheme://127.0.0.1:$1/" -k
  bench_pid=$pid
}

# bench_haproxy PORT UPSTREAM_PORT [tls]: HAProxy in HTTP mode, one thread, keep-alive both sides
# (idle upstream connections reused, at most 128 kept), WebSocket pass-through, hard-stop-after as
# nginx's worker_shutdown_timeout; with tls, TLS 1.2/1.3 with bench_cert's certificate. Sets bench_pid.
bench_haproxy() {
  local dir=$run/haproxy-$1 bind="bind 127.0.0.1:$1" scheme=http
  [ "${3:-}" = tls ] && { scheme=https; bind+=" ssl crt $run/bundle.pem ssl-min-ver TLSv1.2"; }
  mkdir -p "$dir"
  cat > "$dir/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 9000
  hard-stop-after 240s
defaults
  mode http
  timeout connect 5s
  timeout client 3600s
  timeout server 3600s
  timeout tunnel 3600s
  option http-keep-alive
  http-reuse always
frontend fe
  $bind
  option forwardfor
  default_backend be
backend be
  server s1 127.0.0.1:$2 maxconn 9000 pool-max-conn 128
CONF
  bench_bg 1 haproxy -f "$dir/haproxy.cfg"
  local pid=$bench_pid
  bench_wait "$scheme://127.0.0.1:$1/" -k
  bench_pid=$pid
}

# bench_proxy NAME PORT UPSTREAM_PORT [tls]: starts nginx, haproxy or clb-ingress (NAME) on PORT in
# front of UPSTREAM_PORT, plain HTTP or with bench_cert's certificate; sets proxy_pid.
# shellcheck disable=SC2034 # proxy_pid is read by the callers
bench_proxy() {
  case $1 in
    nginx) bench_nginx "$2" "$3" "${4:-}"; proxy_pid=$bench_pid;;
    haproxy) bench_haproxy "$2" "$3" "${4:-}"; proxy_pid=$bench_pid;;
    clb-ingress)
      if [ "${4:-}" = tls ]; then
        start_clb "$run" "$3" "${ports[10]}" "$2" "${ports[11]}" --default-cert bench/bench-tls
        # ready once it serves the bench certificate (curl checks it) to the backend
        bench_wait "https://bench.example.com:$2/" --cacert "$run/cert.pem" --resolve "bench.example.com:$2:127.0.0.1"
      else
        start_clb "$run" "$3" "$2" "${ports[10]}" "${ports[11]}"
        bench_wait "http://127.0.0.1:$2/"
      fi
      proxy_pid=$clb_pid;;
    *) echo "no proxy named $1" >&2; return 1;;
  esac
}

# bench_proxies UPSTREAM_PORT [tls]: nginx, haproxy and clb-ingress in front of UPSTREAM_PORT; sets
# targets=(nginx=PORT haproxy=PORT clb-ingress=PORT), the order of every round, and
# proxy_pids[NAME], each one's process.
declare -gA proxy_pids
bench_proxies() {
  local name i=1
  targets=()
  for name in nginx haproxy clb-ingress; do
    bench_proxy "$name" "${ports[i]}" "$@"
    targets+=("$name=${ports[i]}")
    # shellcheck disable=SC2034 # proxy_pids is read by the callers
    proxy_pids[$name]=$proxy_pid
    i=$((i + 1))
  done
}

# bench_clb_target NAME [FLAG...]: one more clb-ingress process (start_clb, its own three free
# ports, extra flags after them) in front of ${ports[0]}'s backend, added to $targets as NAME; sets
# clb_pid. CLB_JAVA, CLB_JAVA_OPTS and CLB_JAR choose its JVM and build as for start_clb.
bench_clb_target() {
  local name=$1 own
  shift
  mapfile -t own < <(bench_free_ports 3)
  start_clb "$run" "${ports[0]}" "${own[0]}" "${own[1]}" "${own[2]}" "$@"
  bench_wait "http://127.0.0.1:${own[0]}/"
  targets+=("$name=${own[0]}")
}

# bench_record_idle NAME PID: the idle RSS and live heap (bench_rss_kib, bench_heap_kib; JCMD as
# there) of a clb-ingress process after the rounds, recorded as round 1 of NAME.
bench_record_idle() {
  bench_record "idle after the rounds: RSS KiB" "$1" 1 "$(bench_rss_kib "$2")"
  bench_record "idle after the rounds: live heap KiB" "$1" 1 "$(bench_heap_kib "$2")"
}

# bench_stop PID: stops one process started here, waits for it to exit and returns its exit status.
bench_stop() {
  local rc=0 pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || rc=$?
  for pid in "${!bench_pids[@]}"; do [ "${bench_pids[pid]}" != "$1" ] || unset 'bench_pids[pid]'; done
  for pid in "${!clb_pids[@]}"; do [ "${clb_pids[pid]}" != "$1" ] || unset 'clb_pids[pid]'; done
  return $rc
}

# bench_ws_echo PORT: the WebSocket echo server (node, npm ws) on cpu 1.
bench_ws_echo() {
  bench_bg 1 node hack/bench/ws-echo-server.js "$1"
  bench_wait "http://127.0.0.1:$1/"
}

# ws_client ARGS...: hack/bench/ws-client.js on cpu 0.
ws_client() {
  taskset -c 0 node hack/bench/ws-client.js "$@"
}

# bench_seconds DURATION: 10s, 2m or 30 as whole seconds.
bench_seconds() {
  case $1 in
    *m) echo $((${1%m} * 60));;
    *s) echo "${1%s}";;
    *) echo "$1";;
  esac
}

# bench_record METRIC TARGET ROUND VALUE: one figure into the results file, and on the console.
bench_record() {
  printf '%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_RESULTS"
  echo "round $3 $2: $1 = $4"
}

# bench_wrk LABEL TARGET ROUND URL [WRK ARGS...]: one wrk -t1 run on cpu 0 for $dur (ROUND 0 is a
# warm-up of $warm, not recorded); records LABEL req/s, LABEL p99 ms and LABEL errors (socket
# errors, timeouts and non-2xx/3xx answers).
bench_wrk() {
  local label=$1 target=$2 round=$3 url=$4 time=$dur
  shift 4
  [ "$round" = 0 ] && time=$warm
  local out=$run/wrk-$round-$target-${label//[^a-zA-Z0-9]/_}.txt
  taskset -c 0 wrk -t1 -d"$time" --latency "$@" "$url" > "$out" 2>&1 || true
  [ "$round" = 0 ] && return 0
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v = $2; f = v ~ /us$/ ? 0.001 : v ~ /ms$/ ? 1 : 1000; sub(/[a-z]+$/, "", v); print v * f}' "$out")
  errors=$(awk '/Socket errors:/ {gsub(/[^0-9 ]/, ""); s += $1 + $2 + $3 + $4} /Non-2xx/ {s += $NF} END {print s + 0}' "$out")
  [ -n "$rps" ] || { echo "wrk gave no figure for $target $label, see $out" >&2; rps=0 p99=0; }
  bench_record "$label req/s" "$target" "$round" "$rps"
  bench_record "$label p99 ms" "$target" "$round" "$p99"
  bench_record "$label errors" "$target" "$round" "$errors"
}

# bench_wrk_rounds SCHEME: the warm-up (round 0), then $rounds rounds alternating
# between the $targets (bench_proxies), each with keep-alive (-c $conns) and a new connection per request
# ("Connection: close", 16 connections).
bench_wrk_rounds() {
  local scheme=$1 round target label
  label=${scheme^^}
  for round in $(seq "$(bench_first_round)" "$rounds"); do
    for target in "${targets[@]}"; do
      bench_wrk "$label keep-alive" "${target%%=*}" "$round" "$scheme://127.0.0.1:${target#*=}/" -c"$conns"
      bench_wrk "$label new connection per request" "${target%%=*}" "$round" "$scheme://127.0.0.1:${target#*=}/" \
        -c16 -H "Connection: close"
    done
  done
}

# bench_rss_kib PID: resident memory of PID and its children (nginx's workers), KiB.
bench_rss_kib() {
  local p s=0
  for p in "$1" $(pgrep -P "$1" || true); do
    s=$((s + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status")))
  done
  echo "$s"
}

# bench_cpu_ticks PID: CPU time (user + system, clock ticks) PID and its children (nginx's worker)
# have used so far.
bench_cpu_ticks() {
  local p s=0
  for p in "$1" $(pgrep -P "$1" || true); do
    # fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis
    s=$((s + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$s"
}

# bench_heap_kib PID: the live heap of a JVM after a full GC, KiB (the heap lines of GC.heap_info).
bench_heap_kib() {
  # JCMD: the jcmd of the process's own JDK, when it is not the one on PATH
  "${JCMD:-jcmd}" "$1" GC.run >/dev/null
  "${JCMD:-jcmd}" "$1" GC.heap_info | awk '/Metaspace/ {exit} {
    for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/,$/, "", v)
      f = v ~ /G$/ ? 1048576 : v ~ /M$/ ? 1024 : 1; sub(/[KMG]$/, "", v); s += v * f } }
    END {print s + 0}'
}

# bench_finish: the table of this script's results, unless they go to a caller's (run-all.sh's).
bench_finish() {
  [ -z "$bench_own_results" ] || bench_table "$BENCH_RESULTS"
}

# bench_first_round: 0 (the warm-up) unless WARMUP is 0, then 1.
bench_first_round() {
  case $warm in 0|0s|0m) echo 1;; *) echo 0;; esac
}

# bench_table RESULTS: a Markdown table of the medians over rounds (totals for errors) of every metric (rows, in the
# order they were first recorded) for every target (columns, in that order too), with each
# target's ratio to nginx's median.
bench_table() {
  python3 - "$1" <<'PY'
import statistics, sys
figures = {}
for line in open(sys.argv[1]):
    metric, target, _, value = line.rstrip('\n').split('\t')
    figures.setdefault(metric, {}).setdefault(target, []).append(float(value))
targets = list(dict.fromkeys(t for by_target in figures.values() for t in by_target))
others = [t for t in targets if t != 'nginx']
fmt = lambda v: f'{v:,.0f}' if abs(v) >= 100 or v == int(v) else f'{v:.2f}'
print('| metric | nginx | ' + ' | '.join(f'{t} | × nginx' for t in others) + ' |')
print('|---|---:|' + '---:|---:|' * len(others))
# Rows of one benchmark (same first two words) together, its errors last.
order = list(dict.fromkeys(' '.join(m.split()[:2]) for m in figures))
for metric, by_target in sorted(figures.items(), key=lambda f: (order.index(' '.join(f[0].split()[:2])), f[0].endswith('errors'))):
    total = metric.endswith('errors')
    med = {t: sum(v) if total else statistics.median(v) for t, v in by_target.items()}
    cells = [fmt(med['nginx']) if 'nginx' in med else '–']
    for t in others:
        if t not in med:
            cells += ['–', '–']
            continue
        ratio = f'{med[t] / med["nginx"]:.2f}' if med.get('nginx') and not total else '–'
        cells += [fmt(med[t]), ratio]
    rounds = max(len(v) for v in by_target.values())
    print(f'| {metric} ({"total of " if total else ""}{rounds} round{"s" if rounds > 1 else ""}) | ' + ' | '.join(cells) + ' |')
PY
}
