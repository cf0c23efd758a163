#!/usr/bin/env bash
# Deletes the Kind cluster made by hack/kind-up.sh (KIND_CLUSTER, default "clb").
set -euo pipefail
cluster=${KIND_CLUSTER:-clb}
command -v kind >/dev/null || { echo "missing kind" >&2; exit 2; }
kind delete cluster --name "$cluster"
