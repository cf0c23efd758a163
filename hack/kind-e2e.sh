#!/usr/bin/env bash
# Brings up the Kind cluster (hack/kind-up.sh) and runs the end-to-end tests that need a real
# cluster against it (KindClusterE2ETest, enabled by -Dclb.e2e.cluster=true). KEEP=1 keeps the
# cluster afterwards; otherwise hack/kind-down.sh removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
export KIND_CLUSTER=${KIND_CLUSTER:-clb}
hack/kind-up.sh
status=0
(cd e2e && npm ci --no-audit --no-fund --silent)
mvn -B -pl e2e -am verify -Dclb.e2e.cluster=true -Dclb.e2e.context="kind-$KIND_CLUSTER" \
  -Dtest=KindClusterE2ETest -Dsurefire.failIfNoSpecifiedTests=false || status=$?
[ "${KEEP:-0}" = 1 ] || hack/kind-down.sh
exit "$status"
