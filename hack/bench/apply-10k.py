"""Writes, changes and removes many Ingresses in a standalone manifest folder and times how long
clb-ingress takes to serve the result (used by apply-10k.sh; run it with -h for the commands).

The folder gets FILES files of Ingresses; Ingress i has the host app-i.bench and routes / to the
Service app-i, whose EndpointSlice points at the backend. A change rewrites one file with one
Ingress's host renamed. "Served" is a 200 through clb-ingress for the host of interest, "gone" a
404; the probe asks every POLL seconds on one keep-alive connection. With --pid, the CPU time
clb-ingress used meanwhile (all its threads, GC included) is reported too: on a shared machine it
says more than the time taken. Every figure goes to stdout as "metric<TAB>round<TAB>value"
(milliseconds)."""

import argparse
import http.client
import os
import sys
import time

POLL = 0.002
TIMEOUT = 120


def ingress_docs(i, host, backend_port):
    name = f"app-{i}"
    return f"""---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: bench}}
spec:
  ingressClassName: clb
  rules:
  - host: {host}
    http:
      paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}]
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: bench}}
spec: {{ports: [{{name: http, port: 80}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: {name}-1, namespace: bench, labels: {{kubernetes.io/service-name: {name}}}}}
addressType: IPv4
ports: [{{name: http, port: {backend_port}}}]
endpoints: [{{addresses: [127.0.0.1], conditions: {{ready: true}}}}]
"""


class Folder:
    def __init__(self, args):
        self.dir = args.manifests
        self.count = args.ingresses
        self.files = args.files
        self.backend = args.backend
        self.per_file = -(-self.count // self.files)

    def path(self, f):
        return os.path.join(self.dir, f"ingresses-{f:03d}.yaml")

    def write(self, f, renamed=None):
        """File f; renamed = (i, host) gives Ingress i another host. Atomic (rename)."""
        docs = []
        for i in range(f * self.per_file, min((f + 1) * self.per_file, self.count)):
            host = renamed[1] if renamed and renamed[0] == i else f"app-{i}.bench"
            docs.append(ingress_docs(i, host, self.backend))
        temp = os.path.join(self.dir, f".writing-{f:03d}.yaml")
        with open(temp, "w") as out:
            out.write("".join(docs))
        os.replace(temp, self.path(f))

    def remove_all(self):
        for f in range(self.files):
            if os.path.exists(self.path(f)):
                os.remove(self.path(f))


class Probe:
    def __init__(self, port):
        self.port = port
        self.connection = None

    def status(self, host):
        for _ in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                self.connection.request("GET", "/", headers={"Host": host})
                response = self.connection.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.connection = None
        return 0

    def wait(self, host, want, since):
        """Milliseconds from since until host answers want."""
        while self.status(host) != want:
            if time.monotonic() - since > TIMEOUT:
                sys.exit(f"{host} did not answer {want} within {TIMEOUT} s")
            time.sleep(POLL)
        return (time.monotonic() - since) * 1000


def cpu_ms(pid):
    """CPU time of a process so far (user and system), ms; 0 without a pid."""
    if not pid:
        return 0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def report(metric, round_, ms):
    print(f"{metric}\t{round_}\t{ms:.0f}", flush=True)


def change(folder, probe, serial):
    """Renames the host of one Ingress in the middle of the folder; ms until it is served."""
    i = folder.count // 2
    host = f"app-{i}-{serial}.bench"
    folder.write(i // folder.per_file, (i, host))
    return probe.wait(host, 200, time.monotonic())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["create", "change", "churn", "remove"],
                        help="create: write every file, ms until the last Ingress is served; change: "
                        "change one Ingress, ms until served; churn: one change a second for --seconds; "
                        "remove: remove every file, ms until the last Ingress is gone")
    parser.add_argument("--manifests", required=True)
    parser.add_argument("--ingresses", type=int, default=10000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--backend", type=int, required=True, help="port of the backend")
    parser.add_argument("--port", type=int, required=True, help="clb-ingress HTTP port")
    parser.add_argument("--round", default="1")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pid", type=int, help="clb-ingress's process, whose CPU time is reported")
    parser.add_argument("--metric", choices=["under-load", "steady"], default="under-load",
                        help="churn: how its figures are named (under wrk's load, or a steady state without it)")
    args = parser.parse_args()
    folder, probe = Folder(args), Probe(args.port)
    last = f"app-{args.ingresses - 1}.bench"
    cpu = cpu_ms(args.pid)
    if args.command == "create":
        for f in range(args.files):
            folder.write(f)
        report(f"{args.ingresses} Ingresses written -> served ms", args.round, probe.wait(last, 200, time.monotonic()))
        if args.pid:
            report(f"{args.ingresses} Ingresses written: CPU ms", args.round, cpu_ms(args.pid) - cpu)
    elif args.command == "remove":
        folder.remove_all()
        report(f"{args.ingresses} Ingresses removed -> gone ms", args.round, probe.wait(last, 404, time.monotonic()))
    elif args.command == "change":
        report(f"one of {args.ingresses} changed -> served ms", args.round, change(folder, probe, f"r{args.round}"))
        if args.pid:
            report(f"one of {args.ingresses} changed: CPU ms", args.round, cpu_ms(args.pid) - cpu)
    else:
        end, n = time.monotonic() + args.seconds, 0
        while time.monotonic() < end:
            started = time.monotonic()
            n += 1
            what = "under load" if args.metric == "under-load" else "one a second, no load"
            report(f"one of {args.ingresses} changed {what} -> served ms", args.round,
                   change(folder, probe, f"c{args.round}-{n}"))
            time.sleep(max(0.0, 1 - (time.monotonic() - started)))
        if args.pid and args.metric == "steady":
            report(f"one of {args.ingresses} changed one a second, no load: CPU ms per change", args.round,
                   (cpu_ms(args.pid) - cpu) / max(n, 1))


if __name__ == "__main__":
    main()
