"""Every way a student installs the course gets the student package, and only it.

- Binder (repo2docker reads only `binder/` when it exists): a Python that the
  package and every TensorFlow its bounds allow accept, and the student
  package with its lab extra (plus myst-nb for the chapters' numbers), no
  developer stack.
- PyPI: the deploy workflow builds the wheel and sdist from the package's own
  pyproject.toml and publishes them, by trusted publishing, on version tags only.
- The one install command (tools.launch_notebooks.student_install_command) is
  the one the README and the Exercises page give, and the one the set-up cells run.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.support.grading import REPO_ROOT
from tools import launch_notebooks

BINDER = REPO_ROOT / "binder"
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
# The Pythons each TensorFlow release ships wheels for (TensorFlow's release notes).
# The oldest release the lab extra allows must be here: raising the bound means adding it.
TENSORFLOW_PYTHONS = {
    "2.18": SpecifierSet(">=3.9,<3.13"),
    "2.19": SpecifierSet(">=3.9,<3.13"),
    "2.20": SpecifierSet(">=3.9,<3.14"),
    "2.21": SpecifierSet(">=3.10,<3.14"),
}
# What students never need: the book, the grader, the test and lint tools.
DEVELOPER_TOOLS = ("jupyter-book", "nbgrader", "upsampling-course-grader", "pytest", "ruff")


def project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def tensorflow_bounds() -> SpecifierSet:
    (line,) = [r for r in project()["optional-dependencies"]["lab"] if r.startswith("tensorflow")]
    return Requirement(line).specifier


def binder_python() -> Version:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    # repo2docker reads "python-X.Y"; a bare "python-3" means its default, which changes.
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-3.<minor>, not {runtime!r}"
    return Version(match.group(1))


def binder_requirements() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_binder_reads_only_its_folder_and_no_other_build_file():
    # Any of these would change what repo2docker builds (a Dockerfile replaces everything).
    assert sorted(p.name for p in BINDER.iterdir()) == ["requirements.txt", "runtime.txt"]


def test_binder_python_is_one_the_package_and_every_allowed_tensorflow_accept():
    python = binder_python()
    assert python in SpecifierSet(project()["requires-python"]), python
    bounds = tensorflow_bounds()
    lowest = min(Version(s.version) for s in bounds if s.operator == ">=")
    assert f"{lowest.major}.{lowest.minor}" in TENSORFLOW_PYTHONS, f"add TensorFlow {lowest}"
    for release, pythons in TENSORFLOW_PYTHONS.items():
        if Version(release) in bounds:
            assert python in pythons, f"TensorFlow {release} has no wheel for Python {python}"


def test_binder_python_is_the_one_the_installed_tensorflow_and_ci_run():
    tensorflow = importlib.metadata.metadata("tensorflow")
    assert Version(tensorflow["Version"]) in tensorflow_bounds()
    python = binder_python()
    assert python in SpecifierSet(tensorflow["Requires-Python"])
    assert f"Programming Language :: Python :: {python}" in tensorflow.get_all("Classifier")
    for workflow in ("tests.yml", "deploy.yml"):
        assert f'python-version: "{python}"' in (WORKFLOWS / workflow).read_text(), workflow


def test_binder_installs_the_student_package_with_its_lab_extra_and_myst_nb_only():
    lines = binder_requirements()
    # repo2docker runs pip from the repository's root: "." is the student package there.
    local = [line for line in lines if line.startswith(".")]
    assert local == [".[lab]"], f"binder must install the student package as .[lab], not {local}"
    assert project()["name"] == "upsampling-course"
    others = [Requirement(line) for line in lines if not line.startswith(".")]
    assert [r.name for r in others] == ["myst-nb"], others
    text = (BINDER / "requirements.txt").read_text()
    for tool in (*DEVELOPER_TOOLS, "grader", "-r ", "-e "):
        assert tool not in re.sub(r"#.*", "", text), f"binder installs {tool!r}"


def deploy_workflow() -> dict:
    workflow = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def job_using(workflow: dict, action: str) -> tuple[str, dict]:
    (found,) = [
        (name, job)
        for name, job in workflow["jobs"].items()
        if any(step.get("uses", "").startswith(action) for step in job.get("steps", []))
    ]
    return found


def test_deploy_publishes_the_student_package_to_pypi_on_version_tags_only():
    workflow = deploy_workflow()
    assert workflow["on"]["push"]["tags"] == ["v*"]
    name, publish = job_using(workflow, "pypa/gh-action-pypi-publish@")
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')", publish.get("if")
    # Trusted publishing: an OIDC token, no stored password.
    assert publish["permissions"] == {"id-token": "write"}
    assert not [s for s in publish["steps"] if "password" in s.get("with", {})]
    assert publish["environment"]["name"] == "pypi"
    # It publishes what the build job made, downloaded as that job's artifact.
    builder = workflow["jobs"][publish["needs"]]
    (upload,) = [s for s in builder["steps"] if s.get("uses", "").startswith("actions/upload")]
    (download,) = [s for s in publish["steps"] if s.get("uses", "").startswith("actions/down")]
    assert download["with"]["name"] == upload["with"]["name"]
    # The site is built and deployed from main only (Pages serves the default branch).
    assert workflow["jobs"]["build"]["if"] == "github.ref_type == 'branch'", name


def test_the_package_job_builds_wheel_and_sdist_from_the_packages_own_pyproject():
    workflow = deploy_workflow()
    _, publish = job_using(workflow, "pypa/gh-action-pypi-publish@")
    builder = workflow["jobs"][publish["needs"]]
    commands = "\n".join(step.get("run", "") for step in builder["steps"])
    (build,) = re.findall(r"python -m build .*", commands)
    assert build.split()[-1] == ".", "build the root, whose pyproject.toml is the student package"
    assert "--sdist" in build and "--wheel" in build
    assert "grader" not in commands
    assert project()["name"] == "upsampling-course"
    # The tag must name the version in pyproject.toml.
    assert '"v$version" = "$GITHUB_REF_NAME"' in commands
    # The site gets the wheel of the same build.
    site = "\n".join(step.get("run", "") for step in workflow["jobs"]["build"]["steps"])
    assert "*.whl _build/html/packages/" in site


@pytest.mark.parametrize("document", ["README.md", "book/exercises.md"])
def test_readme_and_exercises_page_give_the_one_student_install_command(document):
    command = launch_notebooks.student_install_command()
    text = (REPO_ROOT / document).read_text()
    assert command in text, f"{document} must give the student install: {command}"
    # No other way to install the student package, which would drift from the one command.
    for line in text.splitlines():
        if "pip install" in line and re.search(r"upsampling-course(?!-)", line):
            assert command in line, f"{document}: another student install: {line.strip()}"
        assert "pip install -r requirements.txt" not in line, f"{document}: the developer stack"


def test_every_page_that_installs_the_student_package_names_the_one_requirement():
    requirement = launch_notebooks.student_requirement()
    # The reviewers' reports (book/reviews/) quote pages as they were: not instructions.
    pages = [
        REPO_ROOT / "README.md",
        *sorted(p for p in (REPO_ROOT / "book").rglob("*.md") if "reviews" not in p.parts),
    ]
    named = {
        page.relative_to(REPO_ROOT).as_posix(): found
        for page in pages
        if (found := re.findall(r"upsampling-course\[lab\] @ [^\"'\s`]+", page.read_text()))
    }
    assert "book/exercises.md" in named
    wrong = {page: found for page, found in named.items() if set(found) != {requirement}}
    assert not wrong, f"install {requirement} (tools/launch_notebooks.py), not: {wrong}"
