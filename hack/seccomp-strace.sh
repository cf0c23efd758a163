#!/usr/bin/env bash
# Used by hack/seccomp-record.sh as the e2e tests' jar launcher (-Dclb.jar.launcher): writes the counts
# to $SECCOMP_RECORD_DIR/calls.PID.txt.
# Runs the command under strace -f -c; SIGTERM and SIGINT go to the traced command (as Kubernetes
# sends SIGTERM to the container's process), so it stops as it would and strace writes its counts.
strace -f -qq -c -o "$SECCOMP_RECORD_DIR/calls.$$.txt" "$@" &
tracer=$!
trap 'pkill -TERM -P "$tracer"' TERM INT
wait "$tracer" || wait "$tracer"
