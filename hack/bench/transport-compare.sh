#!/usr/bin/env bash
# The data plane's socket transport chosen by measurement: HTTP/1.1 keep-alive and a new
# connection per request through nginx and through one clb-ingress process per transport below
# (--transport), all in the same run, in alternating rounds, to the same nginx static backend; then
# the idle RSS and live heap of each clb-ingress process. Prints a Markdown table of medians and
# ratios to nginx.
#
# usage: hack/bench/transport-compare.sh [-r ROUNDS] [-d DURATION] [-w WARMUP] [-c CONNECTIONS] [TRANSPORT...]
#   TRANSPORT is io_uring, epoll or nio (default: io_uring epoll), each optionally followed by
#   +seccomp: that process runs under the data plane pods' seccomp profile
#   (deploy/seccomp/clb-ingress-dataplane.json, loaded by hack/seccomp-exec.py: needs libseccomp),
#   as in a cluster given it. CLB_JAVA, CLB_JAVA_OPTS and CLB_JAR choose the JVM and build, as for
#   every script here.
# needs: wrk nginx taskset python3 curl jcmd and the built jar; io_uring needs Linux 5.14+ with
#   io_uring allowed (a transport that cannot be used gives way to the next: see its log).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=hack/bench/lib.sh
source hack/bench/lib.sh
transports=()
args=()
for arg in "$@"; do
  case ${arg%+seccomp} in io_uring|epoll|nio) transports+=("$arg");; *) args+=("$arg");; esac
done
[ ${#transports[@]} -gt 0 ] || transports=(io_uring epoll)
bench_options "${args[@]}"
bench_prerequisites wrk nginx taskset python3 curl jcmd
bench_start transport
bench_backend "${ports[0]}"
bench_proxy nginx "${ports[1]}" "${ports[0]}"
targets=("nginx=${ports[1]}")
clb=()
for transport in "${transports[@]}"; do
  profile=
  [[ $transport != *+seccomp ]] || profile=deploy/seccomp/clb-ingress-dataplane.json
  CLB_SECCOMP=$profile bench_clb_target "$transport" --transport "${transport%+seccomp}"
  clb+=("$transport=$clb_pid")
  # the transport it runs on (a fallback is logged as a warning)
  grep -h "socket transport" "$run/clb-ingress-${targets[-1]#*=}.log" | sed "s/^/# $transport: /"
done
bench_wrk_rounds http
for entry in "${clb[@]}"; do
  bench_record_idle "${entry%%=*}" "${entry#*=}"
done
bench_finish
