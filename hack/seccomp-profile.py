#!/usr/bin/env python3
"""Writes the data plane's seccomp profile from strace -c counts.

usage: hack/seccomp-profile.py RECORD_DIR OUT.json

RECORD_DIR holds calls.*.txt, the counts `strace -f -c` wrote for each jar run (hack/seccomp-record.sh
makes them); OUT.json gets an OCI seccomp profile that allows the calls seen plus EXTRA below and
answers any other call with ENOSYS (see hack/seccomp-record.sh for why). Exits 1 when no io_uring call
was seen (the profile is for io_uring).
"""
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
