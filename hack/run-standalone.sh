#!/usr/bin/env bash
# Quick start: builds the jar, starts the example echo backend on 127.0.0.1:9000, and runs
# clb-ingress in standalone mode on the shipped examples (HTTP :8080, HTTPS :8443, the example
# listeners on :8081 and, over TLS with a self-signed certificate made here, :8444; admin 127.0.0.1:9901).
# CLB_MANIFESTS names another folder to read (e.g. a copy of deploy/examples to edit). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
manifests=${CLB_MANIFESTS:-deploy/examples}
# The WSS listener example needs a kubernetes.io/tls Secret; made once, self-signed, not committed.
secret=$manifests/chat-tls.local.yaml
if [ ! -f "$secret" ] && command -v openssl >/dev/null; then
  tmp=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=chat.localtest.me \
    -addext subjectAltName=DNS:chat.localtest.me -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
  printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: chat-tls, namespace: demo}\ntype: kubernetes.io/tls\ndata: {tls.crt: %s, tls.key: %s}\n' \
    "$(base64 -w0 "$tmp/cert.pem")" "$(base64 -w0 "$tmp/key.pem")" > "$secret"
  rm -rf "$tmp"
fi
java -cp operator/target/clb-ingress.jar hack/EchoBackend.java 9000 &
backend=$!
trap 'kill $backend 2>/dev/null' EXIT
exec_args=(standalone --manifests "$manifests" "$@")
# The data plane's JVM flags, chosen by hack/bench/jvm-compare.sh (README, "Choosing the data
# plane's JVM"): the parallel collector and a fixed heap. CLB_JAVA_OPTS replaces them.
read -r -a java_opts <<< "${CLB_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx256m}"
java "${java_opts[@]}" -jar operator/target/clb-ingress.jar "${exec_args[@]}"
