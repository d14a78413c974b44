"""Every page with a Colab copy, run as a student on Colab would: a fresh environment, the wheel.

What a student gets on Colab is whatever the first cell of a launch notebook
installs (tools/launch_notebooks.py). This test builds a wheel of the student
package from this checkout (the results the chapters plot are its package
data), checks what the wheel holds (the package and its data; no grader, no
tools, no tests), makes a fresh virtual environment, runs that very set-up
cell there as on Colab (with the wheel in place of the git URL of the
notebooks branch), and then executes every chapter copy top to bottom without an
error. Beside the chapters (a second process in the same environment, at
the same time) every released exercise runs as a student who opened it on
Colab would run it: the copy the deploy publishes (the release with the
set-up cell in front), the student's id typed into its id cell, every answer
cell filled from the solution notebook's cell of the same grade id, top to
bottom, with no error, every visible check passing and the final self-check
reporting every test "ok" (the lab trains its generator for the full budget,
as its answer does).

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
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.grading import (
    REPO_ROOT,
    SOLUTIONS,
    answer_cells,
    filled_in,
    graded_test_ids,
    solution_answers,
)
from tools import launch_notebooks
from tools.book_toc import chapter_pages

# Every chapter runs again here, TensorFlow training included: one worker, on its own.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("colab_install")]

STUDENT_ID = "colab-student"
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


def solved_by_a_student(notebook: nbformat.NotebookNode, assignment: str) -> nbformat.NotebookNode:
    """The exercise copy as a student hands it in: their id typed into the id cell, and every
    answer cell holding the solution notebook's answer of the same grade id."""
    source = nbformat.read(SOLUTIONS / assignment / f"{assignment}.ipynb", as_version=4)
    answers = solution_answers(source)
    assert set(answer_cells(notebook)) == set(answers), (
        f"{assignment}: the release's answer cells {sorted(answer_cells(notebook))} are not "
        f"the solution's {sorted(answers)}"
    )
    notebook = filled_in(notebook, answers)
    id_cells = [c for c in notebook.cells if c.source.lstrip().startswith("STUDENT_ID =")]
    assert len(id_cells) == 1, f"{assignment}: the exercise has no single STUDENT_ID cell"
    id_cells[0].source = f'STUDENT_ID = "{STUDENT_ID}"\n'
    return notebook


def self_check_rows(notebook: nbformat.NotebookNode, report: dict) -> dict[str, str]:
    """What the exercise's final ``self_check(...)`` cell printed for each graded test: ok,
    fix, error or not (yet); other lines (TensorFlow's warnings) are left out."""
    (index,) = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.source.lstrip().startswith("self_check(")
    ]
    printed = "".join(
        o.get("text", "") for o in report["cells"][index] if o.get("name") == "stdout"
    )
    tests = set(graded_test_ids(notebook))
    rows = [line.split() for line in printed.splitlines()]
    return {words[0]: words[1] for words in rows if len(words) > 1 and words[0] in tests}


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


def setup_cell_requirements(wheel: Path) -> list[Requirement]:
    """What the set-up cells of chapters and exercises install, the wheel in place of the branch."""
    found = {}
    for kind in ("chapter", "exercise"):
        copy = nbformat.v4.new_notebook(cells=[launch_notebooks.colab_setup_cell(kind)])
        setup = as_on_colab(copy, wheel).cells[SETUP_CELL]
        found |= {str(r): r for r in cell_requirements(setup.source)}
    return list(found.values())


@pytest.fixture(scope="module")
def student_python(wheel, tmp_path_factory) -> Path:
    """The Python of one fresh environment holding what the set-up cells ask for (every
    notebook of this module runs there)."""
    requirements = setup_cell_requirements(wheel)
    assert {r.name for r in requirements} == {"upsampling-course"}, requirements
    return fresh_environment(tmp_path_factory.mktemp("fresh"), requirements)


@dataclass
class Running:
    """Notebooks executing in the fresh environment, in a process of their own."""

    process: subprocess.Popen
    paths: dict[str, Path]
    venv: str


def start_notebooks(
    python: Path, wheel: Path, tmp: Path, notebooks: dict[str, nbformat.NotebookNode]
) -> Running:
    """Start executing the notebooks, one after another, in the environment of ``python``.

    Every notebook runs in a folder of its own, with the run's own cache (no
    classifier trained by other tests).
    """
    # The environment holds what every notebook's own set-up cell installs.
    made_for = {str(r) for r in setup_cell_requirements(wheel)}
    for name, notebook in notebooks.items():
        wanted = {str(r) for r in cell_requirements(notebook.cells[SETUP_CELL].source)}
        assert wanted <= made_for, f"{name}'s set-up cell installs {wanted}, not {made_for}"
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
    process = subprocess.Popen(
        [python, "-c", RUN_NOTEBOOKS, json.dumps([str(p) for p in paths.values()])],
        cwd=tmp,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Running(process, paths, str(python.parent.parent))


def reports_of(running: Running) -> dict:
    """Wait for the notebooks; name -> report, once each is known to have run as a student's."""
    stdout, stderr = running.process.communicate()
    assert running.process.returncode == 0, f"the notebooks did not run:\n{stderr[-4000:]}"
    report = json.loads(stdout.strip().splitlines()[-1])
    venv = running.venv
    for name, path in running.paths.items():
        ran = report[str(path)]
        # One print can arrive as several stream messages: read the cell's whole stdout.
        outputs = ran["cells"][WHERE_FROM_CELL]
        where = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").split()
        assert where and where[0] == venv, f"{name} ran in {where[:1]}, not the fresh environment"
        assert where[1].startswith(venv), f"{name} imported the course package from {where[1]}"
        assert where[2] == "True", f"{name} ran where myst-nb is installed: not a student install"
    return {name: report[str(path)] for name, path in running.paths.items()}


@pytest.fixture(scope="module")
def solved_exercises(wheel, student_python, tmp_path_factory):
    """Every released exercise, solved as a student would, started in the fresh environment:
    (the notebooks as run, their run). The chapters' test asks for it first, so that the
    exercises run beside the chapters."""
    tmp = tmp_path_factory.mktemp("exercises")
    notebooks = {}
    for path in launch_notebooks.write_exercise_notebooks(tmp / "copies"):
        copy = as_on_colab(nbformat.read(path, as_version=4), wheel)
        notebooks[path.stem] = solved_by_a_student(copy, path.stem)
    running = start_notebooks(student_python, wheel, tmp, notebooks)
    yield notebooks, running
    if running.process.poll() is None:  # the test never waited for it (a failure before)
        running.process.kill()
        running.process.communicate()


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


def test_every_chapter_copy_runs_from_the_wheel_in_a_fresh_environment(
    wheel, student_python, solved_exercises, tmp_path
):
    # solved_exercises: started first, the exercises run while the chapters do.
    copies = tmp_path / "copies"
    written = {p.stem: p for p in launch_notebooks.write_chapter_notebooks(copies)}
    assert set(written) == {Path(page).name for page in chapter_pages()}
    notebooks = {
        name: as_on_colab(nbformat.read(path, as_version=4), wheel)
        for name, path in written.items()
    }
    ran = reports_of(start_notebooks(student_python, wheel, tmp_path / "chapters", notebooks))
    print({name: round(report["seconds"]) for name, report in ran.items()})
    failed = {name: report["error"] for name, report in ran.items() if report["error"]}
    assert not failed, "\n\n".join(f"{name}:\n{error}" for name, error in failed.items())


def test_every_released_exercise_solved_runs_from_the_wheel_and_passes_its_self_check(
    solved_exercises,
):
    notebooks, running = solved_exercises
    assert set(notebooks) == {p.stem for p in launch_notebooks.released_exercises()}
    for name, notebook in notebooks.items():
        # The published copy keeps nbgrader's metadata (the release's grade ids).
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert any("nbgrader" in c.metadata for c in code), f"{name} lost its nbgrader metadata"
    ran = reports_of(running)
    print({name: round(report["seconds"]) for name, report in ran.items()})
    failed = {name: report["error"] for name, report in ran.items() if report["error"]}
    assert not failed, "\n\n".join(f"{name}:\n{error}" for name, error in failed.items())
    for name, notebook in notebooks.items():
        rows = self_check_rows(notebook, ran[name])
        tests = graded_test_ids(notebook)
        assert tests and set(rows) == set(tests), (
            f"{name}: the self-check printed rows for {sorted(rows)}, not for {tests}"
        )
        not_ok = {test: result for test, result in rows.items() if result != "ok"}
        assert not not_ok, f"{name}: the solved exercise's self-check says {not_ok}"
