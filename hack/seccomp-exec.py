#!/usr/bin/env python3
"""Runs a command under a seccomp profile in the format Kubernetes and the OCI runtimes read.

usage: hack/seccomp-exec.py PROFILE.json COMMAND [ARGS...]

What a container runtime (runc, crun) does with a pod's Localhost seccomp profile, without a
container: the filter the profile describes is loaded into this process (with no_new_privs set, as
an unprivileged container has it) and COMMAND is executed under it, so the data plane can be tried
on this machine under the profile its pods would get. libseccomp (libseccomp.so.2, the library
runc uses) builds the filter, called through ctypes: nothing to install beyond it.

The profile is an OCI runtime-spec LinuxSeccomp object (runtime-spec config-linux.md, "Seccomp"):
  defaultAction     SCMP_ACT_ALLOW | SCMP_ACT_ERRNO | SCMP_ACT_KILL | SCMP_ACT_KILL_PROCESS | SCMP_ACT_LOG
  defaultErrnoRet   the errno of a SCMP_ACT_ERRNO default (EPERM when absent)
  syscalls          [{"names": [...], "action": ..., "errnoRet": N}]
  args              [{"index": N, "value": A, "valueTwo": B, "op": "SCMP_CMP_..."}]: the call is
                    matched when every condition holds (SCMP_CMP_MASKED_EQ: (argument & value) == valueTwo)
What this launcher does not take: SCMP_ACT_TRACE/NOTIFY, `includes`/`excludes`, `flags`, and
`listenerPath` (it exits with status 2 and says so). `architectures` is read as runc reads it on
a single-architecture host: the filter is built for this machine's native architecture only. A
syscall name this machine's libseccomp does not know is skipped, as runc skips it, and listed on
standard error.

Exit status: COMMAND's, or 2 when the profile cannot be read or loaded (the reason on stderr).
"""
import ctypes
import ctypes.util
import errno
import json
import os
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_LOG = 0x7FFC0000
SCMP_ACT_KILL_THREAD = 0x00000000
SCMP_ACT_KILL_PROCESS = 0x80000000
NR_SCMP_ERROR = -1
# enum scmp_compare (libseccomp seccomp.h)
COMPARISONS = {"SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3, "SCMP_CMP_EQ": 4, "SCMP_CMP_GE": 5,
               "SCMP_CMP_GT": 6, "SCMP_CMP_MASKED_EQ": 7}


class ArgCmp(ctypes.Structure):
    """struct scmp_arg_cmp (libseccomp seccomp.h): for SCMP_CMP_MASKED_EQ, datum_a is the mask."""
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def fail(message):
    print("seccomp-exec: " + message, file=sys.stderr)
    sys.exit(2)


def action(name, errno_ret):
    """The libseccomp action value of an OCI action name (libseccomp seccomp.h, SCMP_ACT_*)."""
    if name == "SCMP_ACT_ALLOW":
        return SCMP_ACT_ALLOW
    if name == "SCMP_ACT_ERRNO":
        return 0x00050000 | ((errno.EPERM if errno_ret is None else errno_ret) & 0xFFFF)
    if name == "SCMP_ACT_LOG":
        return SCMP_ACT_LOG
    if name in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"):
        return SCMP_ACT_KILL_THREAD
    if name == "SCMP_ACT_KILL_PROCESS":
        return SCMP_ACT_KILL_PROCESS
    fail("action %s is not supported here" % name)


def libseccomp():
    path = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(path, use_errno=True)
    except OSError as error:
        fail("libseccomp cannot be loaded (%s): install libseccomp2" % error)
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(ArgCmp)]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_load.restype = ctypes.c_int
    return lib


def load(profile):
    lib = libseccomp()
    default = action(profile.get("defaultAction", ""), profile.get("defaultErrnoRet"))
    ctx = lib.seccomp_init(default)
    if not ctx:
        fail("seccomp_init refused defaultAction %s" % profile.get("defaultAction"))
    unknown = []
    for rule in profile.get("syscalls", []):
        for key in ("includes", "excludes"):
            if rule.get(key):
                fail("syscall rules with %s are not supported here: %s" % (key, rule.get("names")))
        value = action(rule.get("action", ""), rule.get("errnoRet"))
        if value == default:
            continue  # libseccomp refuses a rule that repeats the default action; it changes nothing
        conditions = rule.get("args") or []
        for condition in conditions:
            if condition.get("op") not in COMPARISONS:
                fail("comparison %s is not supported here: %s" % (condition.get("op"), rule.get("names")))
        compare = (ArgCmp * max(1, len(conditions)))(*[
            ArgCmp(c["index"], COMPARISONS[c["op"]], c.get("value", 0), c.get("valueTwo", 0)) for c in conditions])
        for name in rule.get("names", []):
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number == NR_SCMP_ERROR:
                unknown.append(name)
                continue
            result = lib.seccomp_rule_add_array(ctx, value, number, len(conditions), compare)
            if result < 0:
                fail("seccomp_rule_add(%s) failed: %s" % (name, os.strerror(-result)))
    if unknown:
        print("seccomp-exec: not known to this libseccomp, skipped: " + " ".join(unknown), file=sys.stderr)
    result = lib.seccomp_load(ctx)
    if result < 0:
        fail("seccomp_load failed: %s" % os.strerror(-result))


def main(argv):
    if len(argv) < 3:
        fail("usage: seccomp-exec.py PROFILE.json COMMAND [ARGS...]")
    try:
        with open(argv[1]) as file:
            profile = json.load(file)
    except (OSError, ValueError) as error:
        fail("cannot read %s: %s" % (argv[1], error))
    for key in ("flags", "listenerPath"):
        if profile.get(key):
            fail("%s is not supported here" % key)
    load(profile)
    try:
        os.execvp(argv[2], argv[2:])
    except OSError as error:
        fail("cannot run %s: %s" % (argv[2], error))


if __name__ == "__main__":
    main(sys.argv)
