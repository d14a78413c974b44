"""The grader is a distribution of its own: its wheel, its command, its small public face."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import upsampling_grader
from tests.support.grading import REPO_ROOT, grader_command


@pytest.mark.slow
def test_the_grader_wheel_holds_the_grader_and_its_command(tmp_path):
    source = tmp_path / "grader"
    shutil.copytree(
        REPO_ROOT / "grader", source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path, source],
        check=True,
    )
    (wheel,) = tmp_path.glob("upsampling_course_grader-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        scripts = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == {
        "upsampling_grader"
    }
    assert "upsampling-grader = upsampling_grader.cli:main" in scripts
    assert "Requires-Dist: upsampling-course[lab]" in metadata


@pytest.mark.parametrize(
    "command",
    [grader_command("--help"), [sys.executable, "-m", "upsampling_grader", "--help"]],
    ids=["upsampling-grader", "python -m upsampling_grader"],
)
def test_the_command_runs_by_its_name_and_as_a_module(command):
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path.home())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: upsampling-grader")
    assert "grade" in done.stdout and "merge" in done.stdout


def test_the_public_face_is_small():
    assert len(upsampling_grader.__all__) <= 12
    for name in upsampling_grader.__all__:
        assert getattr(upsampling_grader, name) is not None
