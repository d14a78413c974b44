"""The student package's parts stay apart, every module stays small, and CI runs the
README's test command.

The student package (upsampling_course) has four parts beside its front door
and a few shared foundations (its docstring lists them): teaching the
layers, the MNIST lab (with ``gan/`` and ``results/``), and the exercises' side of the judge. The chapters and the released
notebooks import most modules by their path, so the parts are sets here
rather than folders. Teaching modules import neither the lab nor the
grading helpers. A new module must be placed in a part here, on purpose.
Which folders of the checkout may import which: tests/repo/test_imports.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "upsampling_course"
MAX_LINES = 400
# Over the limit on purpose, each with its reason (CONTRIBUTING says the same).
LONGER_ON_PURPOSE: dict[str, int] = {}

# The package's front door re-exports the teaching helpers chapters use most.
FRONT = {"__init__"}
SHARED = {"keras_setup", "checks", "plotting", "cache", "pages"}
TEACHING = {
    "shapes",
    "numpy_layers",
    "artifacts",
    "artifact_sources",
    "artifact_plots",
    "spectrum",
    "pytorch_translation",
    "summaries",
    "animations",
    "operators",
    "explorer",
    "page_figures",
}
LAB = {"data", "quality", "lab_plots", "lab_results", "judge_check", "gan", "results"}
# The student's side of the judge: what a released notebook imports to hand its
# answers over, to know its variant and to check itself before submitting.
EXERCISES = {"answers", "variants", "selfcheck", "assignments", "lab_probe"}
PARTS = {
    "front": FRONT,
    "shared": SHARED,
    "teaching": TEACHING,
    "lab": LAB,
    "exercises": EXERCISES,
}
ALLOWED = {
    "front": {"shared", "teaching"},
    "shared": {"shared"},
    "teaching": {"shared", "teaching"},
    "lab": {"shared", "teaching", "lab"},
    "exercises": {"shared", "teaching", "lab", "exercises"},
}


def modules(package: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def top_name(path: Path) -> str:
    """The package member a file belongs to: `gan` for gan/steps.py, `shapes` for shapes.py."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def part_of(name: str) -> str | None:
    return next((part for part, names in PARTS.items() if name in names), None)


def course_imports(source: str, inside_subpackage: bool = False) -> set[str]:
    """Top-level package members a module's source imports (absolute or relative)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            if node.level == 1 and inside_subpackage:
                continue  # a sibling inside the same subpackage
            base = node.module.split(".")[0] if node.module else None
            found.update([base] if base else [alias.name for alias in node.names])
            continue
        elif isinstance(node, ast.ImportFrom) and node.module == "upsampling_course":
            found.update(alias.name for alias in node.names)
            continue
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        found.update(n.split(".")[1] for n in names if n.startswith("upsampling_course."))
    return found


def imports_of(path: Path) -> set[str]:
    return course_imports(path.read_text(), len(path.relative_to(PACKAGE).parts) > 1)


def test_every_module_belongs_to_a_part():
    unplaced = sorted({top_name(p) for p in modules()} - set().union(*PARTS.values()))
    assert not unplaced, (
        f"modules in no part: {unplaced}; add each to one of PARTS in "
        "tests/repo/test_layout.py (and to the package's docstring)"
    )


def test_the_package_docstring_names_every_part_and_module():
    import upsampling_course

    described = upsampling_course.__doc__
    for name in sorted(set().union(*PARTS.values()) - FRONT):
        assert f"``{name}``" in described, f"upsampling_course's docstring does not place {name}"


def test_parts_import_only_what_they_may():
    crossings = []
    for path in modules():
        part = part_of(top_name(path))
        if part is None:
            continue
        for imported in sorted(imports_of(path)):
            imported_part = part_of(imported)
            if imported_part is not None and imported_part not in ALLOWED[part]:
                crossings.append(
                    f"{path.relative_to(ROOT)} ({part}) imports {imported} ({imported_part})"
                )
    assert not crossings, "imports across the package's parts:\n" + "\n".join(crossings)


def test_the_layout_check_sees_every_spelling_of_an_import_across_parts():
    """The import reader finds each way a crossing could be written (so the check can fail)."""
    source = (
        "from upsampling_course.lab_plots import show\n"
        "import upsampling_course.gan.steps\n"
        "from upsampling_course import quality\n"
        "from ..data import load_digits\n"
        "from . import sibling\n"
    )
    assert course_imports(source, inside_subpackage=True) == {
        "lab_plots",
        "gan",
        "quality",
        "data",
    }


@pytest.mark.parametrize("folder", ["upsampling_course", "grader", "tools"])
def test_no_module_is_over_the_size_of_one_job(folder):
    big = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in modules(ROOT / folder)
        if (n := len(p.read_text().splitlines()))
        > LONGER_ON_PURPOSE.get(str(p.relative_to(ROOT)), MAX_LINES)
    ]
    assert not big, f"modules over {MAX_LINES} lines (split them by job):\n" + "\n".join(big)


def readme_test_command() -> str:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    # The developer's block (the students' install has a block of its own).
    block = next((b for b in blocks if "dev.py" in b), None)
    assert block, "README has no bash block with the two commands"
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    test = [c for c in commands if c.endswith(" test")]
    assert len(test) == 1, f"README's command block should hold one test command: {commands}"
    return test[0]


def test_ci_and_the_pull_request_workflow_run_the_readme_test_command():
    command = readme_test_command()
    assert command in (ROOT / ".ci" / "run").read_text()
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text()
    assert re.search(r"^\s*run: " + re.escape(command) + r"\s*$", workflow, re.M), workflow
    triggers = workflow.split("jobs:")[0]
    for event in ("pull_request", "push", "workflow_call"):
        assert re.search(rf"^\s+{event}:", triggers, re.M), f"tests.yml is not run on {event}"


def test_deploy_waits_for_the_tests():
    deploy = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    assert "uses: ./.github/workflows/tests.yml" in deploy
    build_job = deploy.split("\n  build:")[1].split("\n  deploy:")[0]
    assert re.search(r"^\s+needs: (tests|\[.*\btests\b.*\])\s*$", build_job, re.M), build_job


@pytest.mark.parametrize("workflow", ["tests.yml", "deploy.yml"])
def test_the_execution_cache_is_reused_only_for_what_the_pages_read(workflow):
    # jupyter-cache re-runs a page only when its own cells change: a cache
    # restored from another commit would hide a page that a package change broke.
    text = (ROOT / ".github" / "workflows" / workflow).read_text()
    step = text.split("path: _build/.jupyter_cache", 1)[1].split("\n      - ", 1)[0]
    assert "restore-keys" not in step, f"{workflow} restores an execution cache of other code"
    # The chapters read the student package (its results included); the Exercises and
    # planning pages read tools/, solutions/ and benchmarks/results/.
    for read in (
        "book/**",
        "upsampling_course/**",
        "pyproject.toml",
        "tools/**",
        "solutions/**",
        "benchmarks/results/**",
    ):
        assert f"'{read}'" in step, f"{workflow}'s cache key leaves out {read}"


def test_the_student_package_declares_what_a_student_and_the_book_install():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(project["optional-dependencies"]) == {"lab", "book"}  # no grader in it
    assert project["requires-python"] == ">=3.11"


def test_the_grader_is_a_distribution_of_its_own_with_a_command():
    import tomllib

    grader = tomllib.loads((ROOT / "grader" / "pyproject.toml").read_text())["project"]
    assert grader["name"] == "upsampling-course-grader"
    assert grader["scripts"] == {"upsampling-grader": "upsampling_grader.cli:main"}
    assert any(d.startswith("upsampling-course[lab]") for d in grader["dependencies"])
    assert grader["requires-python"] == ">=3.11"
