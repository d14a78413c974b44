"""The grader's image built and its pods run with podman: seconds per student, in a pod and bare.

What it does, in order (root, with podman, runc and mmdebstrap installed:
``apt-get install podman runc mmdebstrap``):

1. makes the local base (cluster/make-base-image.sh) unless it exists, and
   builds the grader's image from cluster/Dockerfile on it (timed; podman's
   layer cache makes a rebuild after a code change cost the last layers only).
   The build machine's pip configuration and CA file, when it has them, are
   bound into the build's RUN steps (never into the image) so that pip
   reaches the package index the machine uses;
2. probes the grade pod (its spec read from cluster/grade-job.yaml) for a
   sandbox under the seccomp profile the Job names, under podman's default
   (containers-common, the RuntimeDefault of podman and CRI-O) and under
   the shipped profile less bwrap's calls (the rule Docker's and containerd's
   defaults apply without CAP_SYS_ADMIN);
3. grades the sharded class of tests/grader/test_class.py (four students of
   predict_shapes) bare, with one `upsampling-grader grade --shard 0/1`, and in
   three grade pods at once and the merge pod, and checks that the merged CSV
   equals the bare run's.

It writes benchmarks/results/containers.json: command, date, machine, load,
versions, the build's seconds, the probes' answers, and each student's
seconds bare and in a pod (the shards' own records). Usage, from the root:

    .venv/bin/python benchmarks/containers.py            # build (cached) and run
    .venv/bin/python benchmarks/containers.py --no-build  # reuse the image
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.containers import (  # noqa: E402
    BASE_IMAGE,
    CLUSTER,
    IMAGE,
    RUNTIME,
    ULIMITS,
    graded_in_pods,
    probe,
    profile_tool,
)

RESULTS = REPO_ROOT / "benchmarks" / "results" / "containers.json"
# The build machine's pip settings, bound into RUN steps when present (not into the image).
PIP_SETTINGS = ("/etc/pip.conf", "/etc/ssl/certs/ca-certificates.crt", "/opt/wheels", "/opt/pypi")
PIP_SETTINGS += ("/opt/pypi-more",)


def run(command: list[str], **kw) -> subprocess.CompletedProcess:
    print("$", " ".join(command), file=sys.stderr)
    return subprocess.run(command, check=True, **kw)


def build() -> dict:
    started = time.monotonic()
    if subprocess.run(["podman", "image", "exists", BASE_IMAGE]).returncode != 0:
        run(["sh", str(CLUSTER / "make-base-image.sh")])
    base_seconds = time.monotonic() - started
    binds = [f"--volume={p}:{p}:ro" for p in PIP_SETTINGS if Path(p).exists()]
    command = ["podman", *RUNTIME, "build", *ULIMITS, *binds, "-f", str(CLUSTER / "Dockerfile")]
    command += ["--build-arg", f"BASE={BASE_IMAGE}", "-t", IMAGE, str(REPO_ROOT)]
    started = time.monotonic()
    run(command, stdout=subprocess.DEVNULL)
    return {
        "base_seconds": round(base_seconds, 1),
        "build_seconds": round(time.monotonic() - started, 1),
    }


def probes(tmp: Path) -> dict:
    """What the grading command says in a grade pod about making a sandbox, per profile."""
    tool = profile_tool()
    shipped = json.loads((CLUSTER / "seccomp-grader.json").read_text())
    refusing = tmp / "refusing.json"
    refusing.write_text(json.dumps(tool.without_bwrap(shipped)))
    runtime_default = ["--security-opt", "seccomp=/usr/share/containers/seccomp.json"]
    tried = {
        "cluster/seccomp-grader.json, /proc unmasked (the Job as shipped)": ([], False),
        "podman's default (containers-common), /proc unmasked": (runtime_default, False),
        "seccomp-grader.json less bwrap's calls, /proc unmasked": (
            ["--security-opt", f"seccomp={refusing}"],
            False,
        ),
        "cluster/seccomp-grader.json, /proc masked": ([], True),
    }
    found = {}
    for name, (extra, masked) in tried.items():
        folder = tmp / f"probe-{len(found)}"
        folder.mkdir()
        done = probe(folder, *extra, masked=masked)
        answer = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()[-1]
        found[name] = "sandbox made" if answer == "None" else answer
    return found


def graded_bare(tmp: Path, students: list) -> tuple[dict, float, Path]:
    """The students graded on the bare machine by one `grade --shard 0/1` (all of them in
    one process, as the pods' shards are): each one's seconds, the wall time, its CSV."""
    from tests.support.class_courses import new_course
    from tests.support.grading import run_grader
    from tests.support.predict_shapes_class import ASSIGNMENT

    course = new_course(tmp / "bare", students)
    out, scratch = tmp / "bare-out", tempfile.mkdtemp(prefix="bare-")
    started = time.monotonic()
    run_grader(
        *("grade", ASSIGNMENT, "--shard=0/1", f"--out={out}", f"--scratch={scratch}", "--quiet"),
        cwd=course.root,
    )
    seconds = time.monotonic() - started
    shutil.rmtree(scratch, ignore_errors=True)
    students = json.loads((out / "shard.json").read_text())["students"]
    return {s["student"]: s["result"]["seconds"] for s in students}, seconds, out / "grades.csv"


def image_versions() -> dict:
    """The image's id and what it holds (Python, TensorFlow, nbgrader, bubblewrap)."""
    code = (
        "import platform, subprocess; from importlib.metadata import version as v; "
        "print(platform.python_version(), v('tensorflow'), v('nbgrader'), "
        "subprocess.run(['bwrap', '--version'], capture_output=True, text=True).stdout.split()[-1])"
    )
    command = ["podman", *RUNTIME, "run", "--rm", *ULIMITS, "--network", "none"]
    command += ["--entrypoint", "python3", IMAGE, "-c", code]
    words = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    inspect = ["podman", "image", "inspect", "--format", "{{.Id}} {{.Size}}", IMAGE]
    image_id, size = subprocess.run(inspect, capture_output=True, text=True).stdout.split()
    names = ("python", "tensorflow", "nbgrader", "bubblewrap")
    return {"id": image_id[:12], "bytes": int(size), **dict(zip(names, words, strict=True))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="reuse the built image")
    args = parser.parse_args()
    from tests.support.class_courses import SHARDED, STUDENTS, new_course, read_rows
    from tests.support.predict_shapes_class import ASSIGNMENT

    record = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "load_before": os.getloadavg(),
        "versions": {
            "podman": subprocess.run(
                ["podman", "--version"], capture_output=True, text=True
            ).stdout.strip(),
            "runc": subprocess.run(
                ["runc", "--version"], capture_output=True, text=True
            ).stdout.split("\n")[0],
            "python": platform.python_version(),
            "tensorflow": version("tensorflow"),
            "nbgrader": version("nbgrader"),
        },
    }
    if not args.no_build:
        record["build"] = build()
    record["image"] = image_versions()
    tmp = Path(tempfile.mkdtemp(prefix="containers-"))
    try:
        record["sandbox_in_the_grade_pod"] = probes(tmp)
        students = [STUDENTS[name] for name in SHARDED]
        bare, bare_wall, bare_csv = graded_bare(tmp, students)
        course = tmp / "volume" / "course"
        shutil.copytree(new_course(tmp / "one-machine", students).root, course, symlinks=True)
        pods = graded_in_pods(course, tmp / "volumes", ASSIGNMENT, 3)
        rows = read_rows(course / "grades" / f"{ASSIGNMENT}.csv")
        record["students"] = {
            name: {"bare_s": round(bare[name], 1), "in_a_pod_s": round(pods["seconds"][name], 1)}
            for name in SHARDED
        }
        record["bare_one_process_wall_s"] = round(bare_wall, 1)
        record["three_pods_at_once_wall_s"] = round(pods["grade_seconds"], 1)
        record["merge_pod_wall_s"] = round(pods["merge_seconds"], 1)
        record["grade_pods_exit_codes"] = [code for code, _ in pods["grade"]]
        record["merge_pod_exit_code"] = pods["merge"].returncode
        record["merged_csv_equals_bare_csv"] = rows == read_rows(bare_csv)
        record["load_after"] = os.getloadavg()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
