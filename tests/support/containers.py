"""Run the Kubernetes Jobs' pods (cluster/*.yaml) with podman, as their spec says.

`podman kube play` takes Pods and Deployments, not Jobs, and on these
machines its default runtime (crun) cannot start at all, so each pod is run
with `podman run` whose options are read from the Job's pod template by
``pod_run_command``, never typed again: the user and group, the read-only
root, no privilege escalation, the capabilities dropped, the seccomp profile,
the CPU and memory limits, the volumes and their read-only flags, the
environment and the command. What a pod spec does not hold comes from the
grader's limits (``pod_pids``) or is this machine's need (``RUNTIME``).
Not mapped: ``hostUsers: false`` (podman would need subordinate ids, which
these machines do not set up): here the pod's uid 10001 is the host's.
Used by tests/grader/test_containers.py and benchmarks/containers.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import yaml

from upsampling_grader.limits import pod_pids

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "cluster"
IMAGE = "localhost/upsampling-course-grader:0.1.0"
BASE_IMAGE = "localhost/bookworm-python3.11:latest"
# runc, since crun refuses this machine's hybrid cgroups; rlimits no higher than root's
# own here (without CAP_SYS_RESOURCE the runtime's defaults are refused).
RUNTIME = ["--runtime", "runc"]
# Asks the grading command, in a pod, whether it can make a sandbox there ("None": it can).
PROBE = ["python3", "-c", "from upsampling_grader import sandbox; print(sandbox.sandbox_problem())"]
ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]


def podman() -> str | None:
    return shutil.which("podman")


def image_problem(image: str = IMAGE) -> str | None:
    """Why the grader's image cannot be run here, or None."""
    if podman() is None:
        return "podman is not installed (apt-get install podman runc)"
    found = subprocess.run([podman(), "image", "exists", image], capture_output=True)
    if found.returncode != 0:
        return f"the image {image} is not built here (python benchmarks/containers.py builds it)"
    return None


def profile_tool():
    """cluster/make-seccomp-profile.py as a module (its name is a script's, not a module's)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_seccomp_profile", CLUSTER / "make-seccomp-profile.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def probe(folder: Path, *extra: str, masked: bool = False) -> subprocess.CompletedProcess:
    """PROBE in the grade pod (``extra``: podman options put before the image, e.g. another
    seccomp profile; ``masked``: /proc masked as runtimes do unless the pod asks otherwise)."""
    command = pod_run_command(
        "grade-job.yaml", volume_folders(folder, "grade-job.yaml", folder), command=PROBE
    )
    if masked:
        at = command.index("unmask=ALL")
        del command[at - 1 : at + 1]
    at = command.index("--entrypoint")
    command[at:at] = list(extra)
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def job(name: str) -> dict:
    (only,) = [d for d in yaml.safe_load_all((CLUSTER / name).read_text()) if d]
    return only


def quantity(text: str) -> str:
    """A Kubernetes memory quantity as podman reads it (7680Mi -> 7680m)."""
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", text).groups()
    return f"{number}{unit[0].lower()}"


def pod_run_command(
    name: str,
    volumes: dict[str, Path],
    *,
    image: str = IMAGE,
    env: dict[str, str] | None = None,
    container_name: str | None = None,
    jobs: int = 1,
    command: list[str] | None = None,
) -> list[str]:
    """`podman run` for the pod of cluster/``name``, its volumes at the host folders
    ``volumes`` (by the pod's volume names), ``env`` added to the container's (e.g.
    JOB_COMPLETION_INDEX, which Kubernetes sets); ``command``: another command in the
    same pod (a probe)."""
    pod = job(name)["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    security, own = pod["securityContext"], container["securityContext"]
    assert pod["automountServiceAccountToken"] is False  # podman mounts no token either
    assert security["runAsNonRoot"] and security["runAsUser"] != 0
    args = [podman() or "podman", *RUNTIME, "run", "--rm", *ULIMITS, "--network", "none"]
    args += ["--user", f"{security['runAsUser']}:{security['runAsGroup']}"]
    args += ["--group-add", str(security["fsGroup"])]
    if own.get("readOnlyRootFilesystem"):
        # Kubernetes adds no tmpfs of its own: neither does the pod here.
        args += ["--read-only", "--read-only-tmpfs=false"]
    if own.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    args += [f"--cap-drop={cap}" for cap in own.get("capabilities", {}).get("drop", [])]
    args += seccomp_options(own.get("seccompProfile") or security.get("seccompProfile"))
    if own.get("procMount") == "Unmasked":
        args += ["--security-opt", "unmask=ALL"]  # none of the runtime's masked paths
    limits = container["resources"]["limits"]
    args += ["--cpus", str(float(limits["cpu"])), "--memory", quantity(limits["memory"])]
    args += ["--pids-limit", str(pod_pids(jobs=jobs))]
    claims = {v["name"]: v for v in pod["volumes"]}
    for mount in container["volumeMounts"]:
        host = volumes[mount["name"]]
        read_only = mount.get("readOnly") or claims[mount["name"]].get(
            "persistentVolumeClaim", {}
        ).get("readOnly")
        args += ["--volume", f"{host}:{mount['mountPath']}{':ro' if read_only else ''}"]
    for item in container.get("env", []):
        args += ["--env", f"{item['name']}={item['value']}"]
    for key, value in (env or {}).items():
        args += ["--env", f"{key}={value}"]
    if container_name:
        args += ["--name", container_name]
    if command is None:
        args += ["--entrypoint", json.dumps(container["command"]), image, *container["args"]]
    else:
        args += ["--entrypoint", json.dumps(command[:1]), image, *command[1:]]
    return args


def volume_folders(root: Path, name: str, course: Path) -> dict[str, Path]:
    """Host folders for the pod's volumes: ``course``, and fresh ones under ``root``
    owned by the pod's user (as the kubelet's fsGroup makes them)."""
    pod = job(name)["spec"]["template"]["spec"]
    uid, gid = pod["securityContext"]["runAsUser"], pod["securityContext"]["fsGroup"]
    folders = {"course": course}
    for volume in pod["volumes"]:
        if volume["name"] != "course":
            folder = root / volume["name"]
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, uid, gid)
            folders[volume["name"]] = folder
    return folders


def share_with_pods(course: Path, name: str = "grade-job.yaml", writable: bool = False) -> None:
    """Make ``course`` readable (``writable``: and writable) by the pods' group, as
    book/instructor/cluster.md asks of the course volume; the owner stays."""
    gid = job(name)["spec"]["template"]["spec"]["securityContext"]["fsGroup"]
    for path in [course, *course.rglob("*")]:
        os.chown(path, -1, gid, follow_symlinks=False)
        if not path.is_symlink():
            extra = stat.S_IRGRP | (stat.S_IWGRP if writable else 0)
            if path.is_dir():
                extra |= stat.S_IXGRP
            path.chmod(path.stat().st_mode | extra)


def graded_in_pods(course: Path, root: Path, assignment: str, shards: int) -> dict:
    """Grade ``assignment`` of ``course`` as the two Jobs would: ``shards`` grade pods at
    once (each its own container and scratch), then the merge pod, which writes the
    course's gradebook, CSV and feedback. Returns the pods' exit codes, output, wall
    seconds and each student's seconds (from the shards' records)."""
    share_with_pods(course, writable=True)
    # One results volume for every pod, as the claim is shared.
    results = volume_folders(root / "shared", "grade-job.yaml", course)["results"]
    started, pods = time.monotonic(), []
    for index in range(shards):
        folders = volume_folders(root / f"pod-{index}", "grade-job.yaml", course)
        folders["results"] = results
        command = pod_run_command(
            "grade-job.yaml",
            folders,
            env={
                "ASSIGNMENT": assignment,
                "SHARDS": str(shards),
                "JOB_COMPLETION_INDEX": str(index),
            },
        )
        pods.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        )
    finished = [(pod.wait(timeout=1800), pod.communicate()[0]) for pod in pods]
    grade_seconds = time.monotonic() - started
    merge_folders = volume_folders(root / "merge", "merge-job.yaml", course)
    merge_folders["results"] = results
    started = time.monotonic()
    merge = subprocess.run(
        pod_run_command("merge-job.yaml", merge_folders, env={"ASSIGNMENT": assignment}),
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = {}
    for record in sorted((results / assignment).glob("shard-*/shard.json")):
        for student in json.loads(record.read_text())["students"]:
            seconds[student["student"]] = student["result"]["seconds"]
    return {
        "grade": finished,
        "grade_seconds": grade_seconds,
        "merge": merge,
        "merge_seconds": time.monotonic() - started,
        "seconds": seconds,
        "results": results / assignment,
    }


def seccomp_options(profile: dict | None) -> list[str]:
    """RuntimeDefault: the runtime's own (podman's default); Localhost: a file of cluster/
    (on a node, the kubelet's seccomp folder holds it under the same name)."""
    if not profile or profile["type"] == "RuntimeDefault":
        return []
    if profile["type"] == "Localhost":
        return ["--security-opt", f"seccomp={CLUSTER / Path(profile['localhostProfile']).name}"]
    raise ValueError(f"seccomp profile {profile['type']} is not run here")
