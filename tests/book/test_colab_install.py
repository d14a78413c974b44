"""Every page with a Colab copy, run as a student on Colab would: a fresh environment, the wheel.

What a student gets on Colab is whatever the first cell of a launch notebook
installs (tools/launch_notebooks.py). This test builds a wheel of the student
package from this checkout (the results the chapters plot are its package
data), checks what the wheel holds (the package and its data; no grader, no
tools, no tests), makes a fresh virtual environment, runs that very set-up
cell there as on Colab (with the wheel in place of the git URL of the
notebooks branch), and then executes every chapter copy top to bottom, and
one exercise copy up to its first answer cell (the set-up a student runs
first), without an error.

Cost: installing TensorFlow again from the registry takes minutes and about
2 GB, too slow for the test suite. So the fresh environment sees, through a
folder of links (as `--system-site-packages` would), the test environment's
copies of exactly the distributions that the chapter's set-up cell asks
for (`upsampling-course[lab]`) require, directly or not, plus what runs a
kernel (what Colab has anyway): not the course package itself, not the
book, grading or test tools, and not myst-nb (the chapters' glue does
nothing without it). An install cell that left out the `lab` extra, an
extra that missed a library a notebook imports, a chapter that imports
myst-nb, or a page that reads a file the wheel lacks, fails here. Building the wheel fetches
setuptools (pip's cache).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.grading import REPO_ROOT
from tools import launch_notebooks
from tools.book_toc import chapter_pages

# Every chapter runs again here, TensorFlow training included: one worker, on its own.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("colab_install")]

EXERCISE = "upsampling2d_numpy"
# What the fresh environment may use besides what the course package requires:
# a kernel to run the notebooks in, and pip for the set-up cell (Colab has both).
RUNNER = ("ipykernel", "nbclient", "nbformat", "pip")
# The set-up cell's requirement with the local wheel in place of the branch.
STUDENT_WHEEL = "upsampling-course[lab] @ {wheel}"
# A wheel of the student package stays small: code, the shipped classifier, the results.
WHEEL_LIMIT_MB = 2

FAKE_COLAB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'
LEAVE_COLAB = 'del sys.modules["google.colab"]'
# Where the kernel runs, where the package comes from, and whether myst-nb is absent.
WHERE_FROM = (
    "import importlib.util, sys, upsampling_course\n"
    "print(sys.prefix, upsampling_course.__file__, importlib.util.find_spec('myst_nb') is None)"
)
SETUP_CELL = 1  # after FAKE_COLAB
WHERE_FROM_CELL = 3  # after FAKE_COLAB, the set-up cell and LEAVE_COLAB

RUN_NOTEBOOKS = textwrap.dedent(
    """
    import json, sys, time
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    report = {}
    for path in json.loads(sys.argv[1]):
        notebook = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        try:
            NotebookClient(notebook, timeout=900, kernel_name="python3").execute()
            error = None
        except CellExecutionError as failed:
            error = str(failed)[-3000:]
        report[path] = {
            "error": error,
            "seconds": time.perf_counter() - started,
            "cells": [cell.get("outputs", []) for cell in notebook.cells],
        }
    print(json.dumps(report))
    """
)


def build_wheel(tmp: Path) -> Path:
    """A wheel of the student package, built from a copy of what this checkout holds."""
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "upsampling_course",
        source / "upsampling_course",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    wheels = tmp / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source],
        check=True,
    )
    (wheel,) = wheels.glob("upsampling_course-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def cell_requirements(setup: str) -> list[Requirement]:
    """The requirements the set-up cell's `%pip install` line names."""
    (line,) = [line for line in setup.splitlines() if "%pip install" in line]
    words = shlex.split(line.split("%pip install", 1)[1])
    return [Requirement(word) for word in words if not word.startswith("-")]


def course_requirements(extras: set[str]) -> list[Requirement]:
    """What pyproject.toml says the course package needs with those extras."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    needed = [Requirement(line) for line in project["dependencies"]]
    for extra in sorted(extras):
        needed += [Requirement(line) for line in project["optional-dependencies"][extra]]
    return needed


def installed_closure(requirements: list[Requirement]) -> set[str]:
    """The installed distributions that pip would resolve `requirements` to, and the kernel's.

    The course package is left out (the wheel brings it); its extras are expanded.
    """
    wanted = [*requirements, *map(Requirement, RUNNER)]
    found: set[str] = set()
    expanded: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name == "upsampling-course":
            extras = set(requirement.extras) - expanded
            if extras or "" not in expanded:  # "": its own dependencies
                expanded |= extras | {""}
                wanted += course_requirements(extras)
            continue
        if name in found:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # an optional platform package: the set-up cell's pip may fetch it
        found.add(name)
        for line in distribution.requires or []:
            child = Requirement(line)
            if child.marker is None or child.marker.evaluate({"extra": ""}):
                wanted.append(child)
    return found


def top_level_entries(distributions: set[str]) -> set[str]:
    """The site-packages entries (packages, modules, .dist-info) the distributions installed."""
    entries = set()
    for name in distributions:
        for file in importlib.metadata.distribution(name).files or []:
            parts = Path(file).parts
            if parts and parts[0] != ".." and not parts[0].endswith(".pth"):
                entries.add(parts[0])
    return entries


def fresh_environment(tmp: Path, requirements: list[Requirement]) -> Path:
    """A new virtual environment that sees the installed copies of what `requirements` need."""
    tmp.mkdir(parents=True, exist_ok=True)
    venv = tmp / "venv"
    # Without pip of its own: the one among the shared packages installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    shared = tmp / "third_party"
    shared.mkdir()
    installed = Path(sysconfig.get_paths()["purelib"])
    for name in sorted(top_level_entries(installed_closure(requirements))):
        if (installed / name).exists():
            (shared / name).symlink_to(installed / name)
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site_packages) / "course_third_party.pth").write_text(f"{shared}\n")
    return python


def as_on_colab(notebook: nbformat.NotebookNode, wheel: Path) -> nbformat.NotebookNode:
    """The copy with its set-up cell installing `wheel`, in a kernel that looks like Colab."""
    setup = notebook.cells[0]
    requirement = launch_notebooks.student_requirement()
    assert requirement in setup.source, "the copy does not start with the set-up cell"
    setup.source = setup.source.replace(requirement, STUDENT_WHEEL.format(wheel=wheel.as_uri()))
    before = [FAKE_COLAB]
    after = [LEAVE_COLAB, WHERE_FROM]
    notebook.cells = [
        *(nbformat.v4.new_code_cell(code) for code in before),
        setup,
        *(nbformat.v4.new_code_cell(code) for code in after),
        *notebook.cells[1:],
    ]
    return notebook


def up_to_the_first_answer(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The exercise's cells before the first one a student writes (nbgrader `solution`),
    with the student's id typed into its id cell, as the notebook asks a student to."""
    first = next(
        index
        for index, cell in enumerate(notebook.cells)
        if cell.metadata.get("nbgrader", {}).get("solution")
    )
    notebook.cells = notebook.cells[:first]
    id_cells = [c for c in notebook.cells if c.source.lstrip().startswith("STUDENT_ID =")]
    assert len(id_cells) == 1, "the exercise has no STUDENT_ID cell before its first answer"
    id_cells[0].source = 'STUDENT_ID = "colab-student"\n'
    return notebook


def course_modules_imported(notebook: nbformat.NotebookNode) -> set[str]:
    """The course modules a notebook's code cells import (``upsampling_course.x.y``)."""
    import ast

    found = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "upsampling_course"
            ):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("upsampling_course")}
    return found


def run_in_fresh_environment(tmp: Path, notebooks: dict[str, nbformat.NotebookNode]) -> dict:
    """Execute the notebooks in a new environment holding what their set-up cells ask for.

    Every notebook runs in a folder of its own, with a cache of its own (no
    classifier trained by other tests); returns name -> report.
    """
    setups = {cell_requirements(nb.cells[SETUP_CELL].source)[0].name for nb in notebooks.values()}
    assert setups == {"upsampling-course"}, setups
    requirements = {
        str(r): r
        for nb in notebooks.values()
        for r in cell_requirements(nb.cells[SETUP_CELL].source)
    }
    python = fresh_environment(tmp, list(requirements.values()))
    paths = {}
    for name, notebook in notebooks.items():
        folder = tmp / "runs" / name
        folder.mkdir(parents=True)
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(notebook, paths[name])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["COURSE_CACHE_DIR"] = str(tmp / "cache")
    env.pop("COURSE_CACHE_READ_ONLY", None)
    result = subprocess.run(
        [python, "-c", RUN_NOTEBOOKS, json.dumps([str(p) for p in paths.values()])],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"the notebooks did not run:\n{result.stderr[-4000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    venv = str(python.parent.parent)
    for name, path in paths.items():
        ran = report[str(path)]
        # One print can arrive as several stream messages: read the cell's whole stdout.
        outputs = ran["cells"][WHERE_FROM_CELL]
        where = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").split()
        assert where and where[0] == venv, f"{name} ran in {where[:1]}, not the fresh environment"
        assert where[1].startswith(venv), f"{name} imported the course package from {where[1]}"
        assert where[2] == "True", f"{name} ran where myst-nb is installed: not a student install"
    return {name: report[str(path)] for name, path in paths.items()}


def test_the_wheel_holds_the_student_package_and_its_data_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    distribution, version = wheel.name.split("-")[:2]
    assert tops == {"upsampling_course", f"{distribution}-{version}.dist-info"}, tops
    assert not [n for n in names if "upsampling_grader" in n or n.startswith(("tools/", "tests/"))]
    shipped = {n for n in names if n.startswith("upsampling_course/results/")}
    committed = {
        f"upsampling_course/results/{p.name}"
        for p in (REPO_ROOT / "upsampling_course" / "results").iterdir()
        if p.suffix in (".json", ".npz", ".py")
    }
    assert shipped == committed, "the wheel lacks results the chapters read"
    assert any(n.startswith("upsampling_course/shipped/") for n in names)
    size_mb = wheel.stat().st_size / 2**20
    assert size_mb < WHEEL_LIMIT_MB, f"the student wheel is {size_mb:.1f} MB"


def test_every_released_exercise_imports_only_modules_the_wheel_holds(wheel):
    # One exercise runs below; every other one must at least find its modules in the wheel.
    names = set(zipfile.ZipFile(wheel).namelist())
    for release in launch_notebooks.released_exercises():
        for module in course_modules_imported(nbformat.read(release, as_version=4)):
            path = module.replace(".", "/")
            assert f"{path}.py" in names or f"{path}/__init__.py" in names, (
                f"{release.name} imports {module}, which the student wheel lacks"
            )


def test_every_chapter_copy_runs_from_the_wheel_in_a_fresh_environment(wheel, tmp_path):
    copies = tmp_path / "copies"
    written = {p.stem: p for p in launch_notebooks.write_chapter_notebooks(copies)}
    assert set(written) == {Path(page).name for page in chapter_pages()}
    notebooks = {
        name: as_on_colab(nbformat.read(path, as_version=4), wheel)
        for name, path in written.items()
    }
    exercise = next(
        p for p in launch_notebooks.write_exercise_notebooks(copies) if p.stem == EXERCISE
    )
    exercise_copy = up_to_the_first_answer(
        as_on_colab(nbformat.read(exercise, as_version=4), wheel)
    )
    assert any("nbgrader" in c.metadata for c in exercise_copy.cells if c.cell_type == "code")
    notebooks[f"exercise_{EXERCISE}"] = exercise_copy
    ran = run_in_fresh_environment(tmp_path / "fresh", notebooks)
    print({name: round(report["seconds"]) for name, report in ran.items()})
    failed = {name: report["error"] for name, report in ran.items() if report["error"]}
    assert not failed, "\n\n".join(f"{name}:\n{error}" for name, error in failed.items())
