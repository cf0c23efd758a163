#!/usr/bin/env bash
# Creates a Kind cluster (KIND_CLUSTER, default "clb"), builds the image from deploy/Dockerfile,
# loads it into the cluster and installs the chart with the data plane on node ports 30080/30443,
# which hack/kind-config.yaml maps to 127.0.0.1. The data plane runs under the seccomp profile
# that allows io_uring (deploy/seccomp/clb-ingress-dataplane.json, put on the node first);
# KIND_SECCOMP=RuntimeDefault runs it under the runtime's default instead (on epoll).
# Needs docker, kind, kubectl and helm.
set -euo pipefail
cd "$(dirname "$0")/.."
cluster=${KIND_CLUSTER:-clb}
image=clb-ingress:dev
for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "missing $tool (this script needs a Docker engine, kind, kubectl, helm)" >&2; exit 2; }
done
if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --config hack/kind-config.yaml --wait 120s
fi
docker build -f deploy/Dockerfile -t "$image" .
kind load docker-image "$image" --name "$cluster"
seccomp=(--set dataplane.seccompProfile.type=RuntimeDefault)
if [ "${KIND_SECCOMP:-Localhost}" = Localhost ]; then
  # The kubelet reads Localhost profiles from its seccomp directory on the node when it creates a container.
  for node in $(kind get nodes --name "$cluster"); do
    docker exec "$node" mkdir -p /var/lib/kubelet/seccomp
    docker cp deploy/seccomp/clb-ingress-dataplane.json "$node:/var/lib/kubelet/seccomp/clb-ingress-dataplane.json"
  done
  seccomp=(--set dataplane.seccompProfile.type=Localhost
    --set dataplane.seccompProfile.localhostProfile=clb-ingress-dataplane.json)
fi
helm upgrade --install clb-ingress charts/clb-ingress --namespace clb-ingress --create-namespace \
  --kube-context "kind-$cluster" \
  --set image.repository=clb-ingress --set image.tag=dev --set image.pullPolicy=Never \
  --set service.type=NodePort --set service.nodePorts.http=30080 --set service.nodePorts.https=30443 \
  --set dataplane.replicaCount=1 "${seccomp[@]}" --wait --timeout 5m
kubectl --context "kind-$cluster" -n clb-ingress get pods,services
