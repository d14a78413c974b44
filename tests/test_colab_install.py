"""The Colab copies' set-up cell, run for real: a fresh environment, the package built here.

What a student gets on Colab is whatever the first cell of a launch notebook
installs (.github/launch_notebooks.py). This test builds a wheel of the
helper package from this checkout, makes a fresh virtual environment, runs
that very cell there as on Colab (with the wheel in place of the git URL of
the notebooks branch), and then executes one chapter copy and one exercise
copy in that environment, without an error: the whole chapter, and the
exercise up to its first answer cell (the set-up a student runs first).

Cost: installing TensorFlow again from the registry takes minutes and about
2 GB, too slow for the test suite. So the fresh environment sees, through a
folder of links (as `--system-site-packages` would), the test environment's
copies of exactly the distributions that the chapter's set-up cell asks
for (`upsampling-course[lab]` and myst-nb) require, directly or not, plus
what runs a kernel (what Colab has anyway): not the course package itself,
not the book, grading or test tools. An install cell that left out the `lab`
extra, or an extra that missed a library a notebook imports, fails here. Building the wheel fetches setuptools (pip's cache).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import nbformat
import pytest
from grading_harness import REPO_ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

spec = importlib.util.spec_from_file_location(
    "launch_notebooks", REPO_ROOT / ".github" / "launch_notebooks.py"
)
launch_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launch_notebooks)

pytestmark = pytest.mark.xdist_group("colab_install")

CHAPTER = "book/upsampling2d"
EXERCISE = "upsampling2d_numpy"
# What the fresh environment may use besides what the course package requires:
# a kernel to run the notebooks in, and pip for the set-up cell (Colab has both).
RUNNER = ("ipykernel", "nbclient", "nbformat", "pip")
# The set-up cell's requirement with the local wheel in place of the branch.
STUDENT_WHEEL = "upsampling-course[lab] @ {wheel}"

FAKE_COLAB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'
LEAVE_COLAB = 'del sys.modules["google.colab"]'
WHERE_FROM = "import upsampling_course, sys\nprint(sys.prefix, upsampling_course.__file__)"
SETUP_CELL = 1  # after FAKE_COLAB
WHERE_FROM_CELL = 3  # after FAKE_COLAB, the set-up cell and LEAVE_COLAB

RUN_NOTEBOOKS = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient import NotebookClient

    report = {}
    for path in json.loads(sys.argv[1]):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=600, kernel_name="python3")
        client.execute()
        report[path] = [
            {"source": cell.source[:80], "outputs": cell.get("outputs", [])}
            for cell in notebook.cells if cell.cell_type == "code"
        ]
    print(json.dumps(report))
    """
)


def build_wheel(tmp: Path) -> Path:
    """A wheel of the helper package, built from a copy of what this checkout holds."""
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
    """The exercise's cells before the first one a student writes (nbgrader `solution`)."""
    first = next(
        index
        for index, cell in enumerate(notebook.cells)
        if cell.metadata.get("nbgrader", {}).get("solution")
    )
    notebook.cells = notebook.cells[:first]
    return notebook


def run_in_fresh_environment(tmp: Path, notebook: nbformat.NotebookNode) -> dict:
    """Execute the notebook in a new environment holding what its set-up cell asks for."""
    python = fresh_environment(tmp, cell_requirements(notebook.cells[SETUP_CELL].source))
    path = tmp / "copy.ipynb"
    nbformat.write(notebook, path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        [python, "-c", RUN_NOTEBOOKS, json.dumps([str(path)])],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
    )
    # A cell that raises stops the run (nbclient's CellExecutionError names it).
    assert result.returncode == 0, (
        f"the copy fails in the student install:\n{result.stderr[-4000:]}"
    )
    cells = json.loads(result.stdout.strip().splitlines()[-1])[str(path)]
    # One print can arrive as several stream messages: read the cell's whole stdout.
    outputs = cells[WHERE_FROM_CELL]["outputs"]
    where = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").split()
    venv = str(python.parent.parent)
    assert where[0] == venv, f"the copy ran in {where[0]}, not the fresh environment"
    assert where[1].startswith(venv), f"the copy imported the course package from {where[1]}"
    return cells


def test_the_setup_cell_installs_what_a_student_needs_in_a_fresh_environment(tmp_path):
    wheel = build_wheel(tmp_path)
    copies = tmp_path / "copies"
    chapter = next(
        p for p in launch_notebooks.write_chapter_notebooks(copies) if p.stem == Path(CHAPTER).name
    )
    exercise = next(
        p for p in launch_notebooks.write_exercise_notebooks(copies) if p.stem == EXERCISE
    )
    chapter_copy = as_on_colab(nbformat.read(chapter, as_version=4), wheel)
    run_in_fresh_environment(tmp_path / "chapter", chapter_copy)

    exercise_copy = up_to_the_first_answer(
        as_on_colab(nbformat.read(exercise, as_version=4), wheel)
    )
    assert any("nbgrader" in c.metadata for c in exercise_copy.cells if c.cell_type == "code")
    run_in_fresh_environment(tmp_path / "exercise", exercise_copy)
