"""Write Colab-ready .ipynb copies of the book's chapters and released exercises.

Used by .github/workflows/deploy.yml, which pushes them to the branch the
launch buttons open (`repository.branch` in _config.yml). Colab opens only
.ipynb files, and a fresh Colab machine lacks the course's helper package.
Every copy starts with one cell that, on Colab only, installs exactly what a
student needs: the helper package with its `lab` extra (TensorFlow, Keras,
the MNIST digits; no book or test tools), from that branch. The chapters'
`glue` (upsampling_course.pages) needs no myst-nb there. On Binder, or in a
local copy, the cell does nothing: Binder has installed the same package
from `binder/requirements.txt`, a student's machine with the one install
command (`student_install_command`, which the README and the Exercises page
quote).

- Chapters: for every executed page of the parts Chapters and Lab
  (`book_toc.chapter_pages`), `<page>.ipynb` beside it (a jupytext
  conversion, no outputs). Other executed pages (the Exercises page, the
  instructors' pages) read the checkout and get no copy and no launch button. When these files sit next to the
  chapters during the build, the theme's launch buttons link the .ipynb
  instead of the .md (Sphinx ignores them: `book/**.ipynb` is in
  `exclude_patterns`). Write them before the build.
- Exercises: each released student notebook `exercises/<name>/<name>.ipynb`
  is rewritten in place with the cell in front; nbgrader ignores the added,
  ungraded cell. Write them after the build, so that the site's download
  links keep serving the releases as generated (the drift test compares
  exercises/ with a fresh nbgrader generation, and main never holds these).

    python -m tools.launch_notebooks chapters        # book/<chapter>.ipynb
    python -m tools.launch_notebooks exercises       # exercises/*/*.ipynb, in place
    python -m tools.launch_notebooks all --out /tmp/nb   # both, somewhere else

Each prints the paths it wrote, one a line. `colab_url` and `binder_url` give
the links that open a copy.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import quote

import jupytext
import nbformat
import yaml

from tools.book_toc import REPO_ROOT, chapter_pages

# The student-sized install: the helper package and what its lab extra names, from
# the branch the launch buttons open (the repository plus the launch notebooks).
# This is the one definition: the set-up cells install it, and the README and the
# Exercises page quote student_install_command() (tests/repo/test_student_install.py).
# Once a release is on PyPI (deploy.yml publishes on a version tag), it can become
# "upsampling-course[lab]==<version>".
STUDENT_REQUIREMENT = "upsampling-course[lab] @ git+{repository}@{branch}"
COLAB_SETUP = """\
# On Colab only: install the course's helper package with what {what} needs
# (TensorFlow, Keras, the MNIST digits; about a minute). Binder has it already
# (binder/requirements.txt); on your own machine, run the same install once.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet {requirements}
"""
SETUP_CELL_ID = "colab-setup"


def released_exercises(repo_root: Path = REPO_ROOT) -> list[Path]:
    """The student notebooks nbgrader released: exercises/<name>/<name>.ipynb."""
    return sorted(
        path
        for path in (repo_root / "exercises").glob("*/*.ipynb")
        if path.stem == path.parent.name
    )


def _repository(repo_root: Path) -> dict:
    repository = yaml.safe_load((repo_root / "_config.yml").read_text())["repository"]
    url = repository["url"].rstrip("/")
    if not url.startswith("https://github.com/"):
        raise ValueError(f"Colab opens notebooks from GitHub only; repository.url is {url}")
    return {"url": url, "branch": repository.get("branch", "main")}


def student_requirement(repo_root: Path = REPO_ROOT) -> str:
    """What the set-up cell installs, as a pip requirement."""
    repository = _repository(repo_root)
    return STUDENT_REQUIREMENT.format(repository=repository["url"], branch=repository["branch"])


def student_install_command(repo_root: Path = REPO_ROOT) -> str:
    """The command a student runs once on their own machine (quoted by README and pages)."""
    return f'pip install "{student_requirement(repo_root)}"'


def setup_requirements(kind: str = "chapter", repo_root: Path = REPO_ROOT) -> list[str]:
    """What the set-up cell of a "chapter" or an "exercise" installs: the student install.

    Both kinds install the same; chapters need no more since their glue does
    nothing without myst-nb (upsampling_course.pages).
    """
    if kind not in ("chapter", "exercise"):
        raise ValueError(f"kind must be 'chapter' or 'exercise', got {kind!r}")
    return [student_requirement(repo_root)]


def colab_setup_cell(kind: str = "chapter", repo_root: Path = REPO_ROOT) -> nbformat.NotebookNode:
    requirements = " ".join(f'"{r}"' for r in setup_requirements(kind, repo_root))
    what = "this chapter" if kind == "chapter" else "this exercise"
    source = COLAB_SETUP.format(what=what, requirements=requirements)
    # The book never shows this cell; the notebook copies are not part of the book anyway.
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"), metadata={"tags": ["remove-cell"]})
    cell.id = SETUP_CELL_ID
    return cell


def colab_url(path: str, repo_root: Path = REPO_ROOT) -> str:
    """The link that opens the copy at `path` (relative to the repository) on Colab."""
    repository = _repository(repo_root)
    github = repository["url"].removeprefix("https://github.com/")
    return (
        f"https://colab.research.google.com/github/{github}/blob/"
        f"{repository['branch']}/{quote(path)}"
    )


def binder_url(path: str, repo_root: Path = REPO_ROOT) -> str:
    """The link that opens `path` on Binder (which installs binder/requirements.txt)."""
    repository = _repository(repo_root)
    github = repository["url"].removeprefix("https://github.com/")
    return f"https://mybinder.org/v2/gh/{github}/{repository['branch']}?labpath={quote(path)}"


def published_notebooks(repo_root: Path = REPO_ROOT) -> list[str]:
    """The repository paths of the copies the deploy publishes on the launch branch.

    What `chapters` and `exercises` write in place: every launch link of the site
    must open one of these.
    """
    chapters = [f"{page}.ipynb" for page in chapter_pages(repo_root)]
    exercises = [p.relative_to(repo_root).as_posix() for p in released_exercises(repo_root)]
    return chapters + exercises


def exercise_launch_list(repo_root: Path = REPO_ROOT) -> str:
    """Markdown: one line per released exercise with its Colab and its Binder link."""
    lines = []
    for release in released_exercises(repo_root):
        path = release.relative_to(repo_root).as_posix()
        lines.append(
            f"- `{release.name}`: [open on Colab]({colab_url(path, repo_root)}) · "
            f"[open on Binder]({binder_url(path, repo_root)})"
        )
    return "\n".join(lines)


def with_setup_cell(
    notebook: nbformat.NotebookNode, kind: str, repo_root: Path = REPO_ROOT
) -> nbformat.NotebookNode:
    notebook.cells = [c for c in notebook.cells if c.get("id") != SETUP_CELL_ID]
    notebook.cells.insert(0, colab_setup_cell(kind, repo_root))
    notebook.metadata.pop("jupytext", None)
    nbformat.validate(notebook)
    return notebook


def write_chapter_notebooks(out_dir: Path | None = None, repo_root: Path = REPO_ROOT) -> list[Path]:
    """One notebook per executed chapter, beside it (or in `out_dir`); returns the paths."""
    written = []
    for page in chapter_pages(repo_root):
        notebook = with_setup_cell(jupytext.read(repo_root / f"{page}.md"), "chapter", repo_root)
        target = (out_dir / Path(page).name if out_dir else repo_root / page).with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


def write_exercise_notebooks(
    out_dir: Path | None = None, repo_root: Path = REPO_ROOT
) -> list[Path]:
    """Each released exercise with the set-up cell in front, in place (or in `out_dir`)."""
    written = []
    for release in released_exercises(repo_root):
        notebook = with_setup_cell(nbformat.read(release, as_version=4), "exercise", repo_root)
        target = out_dir / release.name if out_dir else release
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


def write_launch_notebooks(out_dir: Path | None = None, repo_root: Path = REPO_ROOT) -> list[Path]:
    """Chapters and exercises both; returns the paths."""
    return write_chapter_notebooks(out_dir, repo_root) + write_exercise_notebooks(
        out_dir, repo_root
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=("chapters", "exercises", "all"))
    parser.add_argument("--out", type=Path, help="folder for the notebooks (default: in place)")
    args = parser.parse_args()
    write = {
        "chapters": write_chapter_notebooks,
        "exercises": write_exercise_notebooks,
        "all": write_launch_notebooks,
    }[args.part]
    for path in write(args.out):
        print(path)


if __name__ == "__main__":
    main()
