#!/usr/bin/env bash
# JMH benchmarks of hot code (translation of 10,000 Ingresses, router compilation, the per-request edge checks,
# standalone mode reading the YAML of 10,000 Ingresses: ManifestBenchmark).
# usage: hack/bench/jmh/run.sh [JMH ARGS]   e.g. -prof gc  (allocated bytes per operation)
set -euo pipefail
cd "$(dirname "$0")/../../.."
mvn -B -q -DskipTests install
mvn -B -q -f hack/bench/jmh/pom.xml package
java -jar hack/bench/jmh/target/benchmarks.jar "$@"
