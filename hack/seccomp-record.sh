#!/usr/bin/env bash
# Writes the data plane's seccomp profile (deploy/seccomp/clb-ingress-dataplane.json) from the
# system calls the jar makes: runs the end-to-end tests that start the jar (standalone, operator and
# data plane, graceful stop, access log, gzip, monitoring, client address) with every jar under
# `strace -f -c`, once on each socket transport the profile is for (io_uring, then epoll: the one
# auto falls back to), and writes an OCI seccomp profile (the format a pod's Localhost profile has)
# that allows the calls seen plus EXTRA below and answers any other call with ENOSYS, as a kernel
# without it would (glibc and the JVM then take their older call: clone3 -> clone, statx -> fstatat).
# clone3 is answered ENOSYS too, and clone allowed only without namespace flags: seccomp cannot look
# into clone3's flags (a pointer), so threads are made with clone, whose flags it can check (as the
# runtimes' default profiles do for processes without CAP_SYS_ADMIN).
#
# usage: hack/seccomp-record.sh [OUT.json]     (default: deploy/seccomp/clb-ingress-dataplane.json)
# needs: strace, python3, the built jar (mvn install -DskipTests) and e2e's npm packages (npm ci in
# e2e/), as .ci/run sets them up. Takes a few minutes; the tests' results do not matter here (under
# strace some of their time limits are missed), only the calls made.
# The profile is for x86-64 and arm64 nodes; it was recorded on x86-64 (README, "Socket transport").
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-deploy/seccomp/clb-ingress-dataplane.json}
command -v strace >/dev/null || { echo "seccomp-record: strace is needed (apt-get install strace)" >&2; exit 2; }
record=$(mktemp -d)
trap 'rm -rf "$record"' EXIT
tests=StandaloneJarE2ETest,OperatorAndDataplaneE2ETest,GracefulShutdownE2ETest,AccessLogE2ETest,GzipE2ETest,MonitoringE2ETest,ClientAddressE2ETest
for transport in io_uring epoll; do
  echo "seccomp-record: the jar's end-to-end tests on $transport under strace" >&2
  SECCOMP_RECORD_DIR=$record CLB_TRANSPORT=$transport mvn -B -o verify -pl e2e -Dtest="$tests" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true \
    -Dclb.jar.launcher="$PWD/hack/seccomp-strace.sh" > "$record/mvn-$transport.log" 2>&1 || true
  echo "seccomp-record: $(find "$record" -name "calls.*.txt" | wc -l) jar runs traced so far; the tests: $(grep -a -E \
    '^\[[A-Z]+\] Tests run: [0-9]+, F[^-]*$' "$record/mvn-$transport.log" | tail -1 | sed 's/^\[[A-Z]*\] //')" >&2
done
ls "$record"/calls.*.txt > /dev/null 2>&1 || { echo "seccomp-record: no jar ran; see $record/mvn-*.log" >&2; trap - EXIT; exit 1; }
python3 hack/seccomp-profile.py "$record" "$out"
