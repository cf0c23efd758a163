# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run).

# bench_prerequisites TOOL... : exits 2 naming a missing tool; builds the jar when it is not there.
bench_prerequisites() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y $*" >&2; exit 2; }
  done
  [ -f operator/target/clb-ingress.jar ] || mvn -B -q -DskipTests package
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
metadata: {name: bench, namespace: bench}
spec:
  ingressClassName: clb
  rules:
  - http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: backend, port: {number: 80}}}}]
YAML
  taskset -c 1 java -jar operator/target/clb-ingress.jar standalone --manifests "$run/manifests" \
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
