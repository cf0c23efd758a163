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
cat > "$record/strace-jar.sh" <<'EOF'
#!/usr/bin/env bash
# Runs the command under strace -f -c; SIGTERM and SIGINT go to the traced command (as Kubernetes
# sends SIGTERM to the container's process), so it stops as it would and strace writes its counts.
strace -f -qq -c -o "$SECCOMP_RECORD_DIR/calls.$$.txt" "$@" &
tracer=$!
trap 'pkill -TERM -P "$tracer"' TERM INT
wait "$tracer" || wait "$tracer"
EOF
chmod +x "$record/strace-jar.sh"
tests=StandaloneJarE2ETest,OperatorAndDataplaneE2ETest,GracefulShutdownE2ETest,AccessLogE2ETest,GzipE2ETest,MonitoringE2ETest,ClientAddressE2ETest
for transport in io_uring epoll; do
  echo "seccomp-record: the jar's end-to-end tests on $transport under strace" >&2
  SECCOMP_RECORD_DIR=$record CLB_TRANSPORT=$transport mvn -B -o verify -pl e2e -Dtest="$tests" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true \
    -Dclb.jar.launcher="$record/strace-jar.sh" > "$record/mvn-$transport.log" 2>&1 || true
  echo "seccomp-record: $(find "$record" -name "calls.*.txt" | wc -l) jar runs traced so far; the tests: $(grep -a -E \
    '^\[[A-Z]+\] Tests run: [0-9]+, F[^-]*$' "$record/mvn-$transport.log" | tail -1 | sed 's/^\[[A-Z]*\] //')" >&2
done
ls "$record"/calls.*.txt > /dev/null 2>&1 || { echo "seccomp-record: no jar ran; see $record/mvn-*.log" >&2; trap - EXIT; exit 1; }
python3 - "$record" "$out" <<'EOF'
import glob, json, sys

record, out = sys.argv[1], sys.argv[2]
seen = set()
for path in glob.glob(record + "/calls.*.txt"):
    for line in open(path):
        words = line.split()
        # strace -c rows: "% time  seconds  usecs/call  calls  [errors]  syscall"
        if len(words) >= 5 and words[0].replace(".", "", 1).isdigit() and words[-1] != "total":
            seen.add(words[-1])
# Calls the JVM makes on paths the tests do not take: jcmd's attach (the JVM chmods its socket),
# JFR (its sampler suspends threads with rt_sigsuspend and reads per-thread CPU clocks, which
# clock_gettime serves outside the vDSO), a heap dump or crash report on the way out, thread and CPU
# queries a container's cgroup changes, file calls x86-64's glibc makes by their old names, and the
# calls glibc uses in place of those recorded on an older or newer glibc / on arm64.
EXTRA = """
accept accept4 bind clock_getres clock_nanosleep close_range connect exit exit_group faccessat
faccessat2 fchmod fchmodat fchown fcntl fdatasync flock fstat fstatfs fsync ftruncate getcpu
getcwd getdents64 getegid geteuid getgid getpid getppid getrandom getrlimit getrusage gettid
getuid kill listen lseek madvise membarrier mkdirat mmap mprotect mremap munmap nanosleep
newfstatat openat pipe2 poll ppoll prctl pread64 prlimit64 pwrite64 read readlinkat renameat
renameat2 restart_syscall rseq rt_sigaction rt_sigprocmask rt_sigreturn rt_sigtimedwait sched_getaffinity
sched_yield set_robust_list set_tid_address sigaltstack statfs statx sysinfo tgkill uname
unlinkat write writev sendmsg recvmsg epoll_pwait dup3 inotify_init1
chmod chown lchown fchownat rename link linkat symlink symlinkat utimensat clock_gettime
gettimeofday time rt_sigsuspend rt_sigpending
""".split()
# CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
# (linux/sched.h): clone is allowed when none of them is in its flags (argument 0 on x86-64 and arm64).
NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
io_uring = {"io_uring_setup", "io_uring_enter", "io_uring_register"}
missing = io_uring - seen
if missing:
    sys.exit("seccomp-record: the io_uring run made no %s: was io_uring usable here?" % " ".join(sorted(missing)))
profile = {
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
    "syscalls": [
        {"names": sorted((seen | set(EXTRA)) - {"clone", "clone3"}), "action": "SCMP_ACT_ALLOW"},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": NAMESPACE_FLAGS, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
    ],
}
with open(out, "w") as file:
    json.dump(profile, file, indent=2)
    file.write("\n")
print("seccomp-record: %d calls seen, %d named, written to %s" % (len(seen), len(seen | set(EXTRA)), out),
      file=sys.stderr)
EOF
