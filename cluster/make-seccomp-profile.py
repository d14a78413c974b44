"""Write the grade pods' seccomp profile: a runtime's default profile plus what bubblewrap needs.

    python3 cluster/make-seccomp-profile.py [DEFAULT_PROFILE] > cluster/seccomp-grader.json

DEFAULT_PROFILE is the container runtime's own default (its RuntimeDefault):
by default containers-common's /usr/share/containers/seccomp.json (podman's
and CRI-O's); Docker's and containerd's (moby's profiles/seccomp/default.json)
work the same way. Those defaults let a process without CAP_SYS_ADMIN make
no namespaces, mount nothing and set no hostname; the grader, which runs
unprivileged in its pod, needs exactly that to make each student's sandbox
(``upsampling_grader.sandbox``: bwrap's user, pid, mount, network, IPC and UTS
namespaces, its mounts and pivot_root, the sandbox's hostname). Only those
calls are added; every other rule of the default stays as it is. The pod
keeps no capability: the namespaces are made in an unprivileged user namespace.
cluster/seccomp-grader.json was made from containers-common 0.50.1 (Debian
bookworm); benchmarks/containers.py measures bwrap in a container under it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RUNTIME_DEFAULT = Path("/usr/share/containers/seccomp.json")
# What bwrap calls to build the sandbox, beyond a runtime default's unconditional rules.
BWRAP_NEEDS = ("clone", "mount", "pivot_root", "sethostname", "umount2", "unshare")
COMMENT = "upsampling-course-grader: bubblewrap makes each student's sandbox (cluster.md)"


def unconditional(rule: dict) -> bool:
    plain = rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args")
    return plain and not rule.get("includes", {}).get("caps") and not rule.get("excludes")


def with_bwrap(profile: dict) -> dict:
    """``profile`` whose rules allow BWRAP_NEEDS unconditionally, the rest unchanged."""
    rules = []
    for rule in profile["syscalls"]:
        names = rule.get("names", [])
        if not unconditional(rule) and set(names) & set(BWRAP_NEEDS):
            names = [n for n in names if n not in BWRAP_NEEDS]
            if not names:
                continue
            rule = {**rule, "names": names}
        rules.append(rule)
    rules.append({"names": list(BWRAP_NEEDS), "action": "SCMP_ACT_ALLOW", "comment": COMMENT})
    return {**profile, "syscalls": rules}


def without_bwrap(profile: dict) -> dict:
    """``profile`` that refuses BWRAP_NEEDS whatever the capabilities (the measurements'
    control: what bwrap meets under a default that keeps them for CAP_SYS_ADMIN)."""
    rules = []
    for rule in profile["syscalls"]:
        names = [n for n in rule.get("names", []) if n not in BWRAP_NEEDS]
        if names or not rule.get("names"):
            rules.append({**rule, "names": names} if rule.get("names") else rule)
    return {**profile, "syscalls": rules}


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RUNTIME_DEFAULT
    print(json.dumps(with_bwrap(json.loads(source.read_text())), indent=1))
