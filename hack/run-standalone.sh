#!/usr/bin/env bash
# Quick start: builds the jar, starts the example echo backend on 127.0.0.1:9000, and runs
# clb-ingress in standalone mode on the shipped examples (HTTP :8080, admin 127.0.0.1:9901).
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
java -cp operator/target/clb-ingress.jar hack/EchoBackend.java 9000 &
backend=$!
trap 'kill $backend 2>/dev/null' EXIT
exec_args=(standalone --manifests deploy/examples "$@")
java -jar operator/target/clb-ingress.jar "${exec_args[@]}"
