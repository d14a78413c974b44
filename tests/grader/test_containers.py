"""The grader's image run for real (issue #33): a class graded in pods made by podman.

Each pod is started from the Job's own pod template (tests/support/containers.py
reads user, read-only root, capabilities, seccomp profile, limits, volumes,
environment and command from cluster/*.yaml). The image is built once by
benchmarks/containers.py; without podman or without that image the tests
skip and say so. The grade pods make each student's bwrap sandbox as the
image's unprivileged user, under the profile the Job names.
"""

from __future__ import annotations

import json
import shutil
import tempfile

import pytest

from tests.support.class_courses import (
    SHARDED,
    STUDENTS,
    gradebook_grades,
    new_course,
    read_rows,
)
from tests.support.containers import (
    CLUSTER,
    graded_in_pods,
    image_problem,
    job,
    probe,
    profile_tool,
)
from tests.support.grading import run_grader
from tests.support.predict_shapes_class import ASSIGNMENT, POINTS, TOTAL

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("containers")]
SHARDS = 3


@pytest.fixture(scope="module")
def image():
    problem = image_problem()
    if problem is not None:
        pytest.skip(problem)


def test_the_grade_pod_makes_a_sandbox_under_the_profile_it_names(image, tmp_path):
    seccomp = job("grade-job.yaml")["spec"]["template"]["spec"]["securityContext"]
    assert seccomp["seccompProfile"]["type"] == "Localhost"
    done = probe(tmp_path)
    assert done.stdout.strip() == "None", done.stdout + done.stderr


def test_without_bwraps_calls_in_the_profile_the_pod_refuses_to_grade(image, tmp_path):
    """The control: the shipped profile less what bwrap needs (what a default profile
    keeps for CAP_SYS_ADMIN) leaves the grader no sandbox, and it says so."""
    tool = profile_tool()
    shipped = json.loads((CLUSTER / "seccomp-grader.json").read_text())
    refusing = tmp_path / "refusing.json"
    refusing.write_text(json.dumps(tool.without_bwrap(shipped)))
    done = probe(tmp_path, "--security-opt", f"seccomp={refusing}")
    assert "bwrap could not make a sandbox here" in done.stdout, done.stdout + done.stderr


def test_with_proc_masked_the_pod_refuses_to_grade(image, tmp_path):
    """The control for procMount: Unmasked: bwrap cannot mount a fresh /proc over a masked one."""
    done = probe(tmp_path, masked=True)
    assert "Can't mount proc" in done.stdout, done.stdout + done.stderr


@pytest.fixture(scope="module")
def pods(image, tmp_path_factory):
    root = tmp_path_factory.mktemp("pods")
    students = [STUDENTS[name] for name in SHARDED]
    one_machine = new_course(root / "one-machine", students)
    course = root / "volume" / "course"
    shutil.copytree(one_machine.root, course, symlinks=True)
    scratch = tempfile.mkdtemp(prefix="bare-")
    bare = run_grader("grade", ASSIGNMENT, f"--scratch={scratch}", "--quiet", cwd=one_machine.root)
    shutil.rmtree(scratch, ignore_errors=True)
    graded = graded_in_pods(course, root / "volumes", ASSIGNMENT, SHARDS)
    return {"one_machine": one_machine, "course": course, "bare": bare, **graded}


def test_three_grade_pods_and_the_merge_pod_finish(pods):
    for index, (returncode, output) in enumerate(pods["grade"]):
        attention = any(
            STUDENTS[s["student"]].status.name != "OK"
            for s in json.loads((pods["results"] / f"shard-{index}" / "shard.json").read_text())[
                "students"
            ]
        )
        assert returncode == int(attention), f"pod {index}: {output[-3000:]}"
        # Inside the pod the grader is not root: the pod's limits bound the sandboxes.
        assert "whole-sandbox limits: per process only (the grader is not root)" in output
    merge = pods["merge"]
    assert merge.returncode == 1, merge.stdout + merge.stderr[-3000:]  # late needs attention


def test_the_pods_merged_csv_and_gradebook_equal_the_one_machine_run(pods):
    rows = read_rows(pods["course"] / "grades" / f"{ASSIGNMENT}.csv")
    bare = read_rows(pods["one_machine"].root / "grades" / f"{ASSIGNMENT}.csv")
    assert {name for name, _ in rows} == set(SHARDED), pods["bare"].stderr[-2000:]
    for name in SHARDED:
        for cell in [TOTAL, *POINTS]:
            assert rows[(name, cell)] == bare[(name, cell)], (name, cell)
    one_machine = pods["one_machine"].root
    assert gradebook_grades(pods["course"], SHARDED) == gradebook_grades(one_machine, SHARDED)
