"""The Colab/Binder copies of the chapters and exercises that the deploy workflow publishes.

tests/book/test_colab_install.py runs every chapter copy in a fresh environment.
"""

from __future__ import annotations

import tomllib

import jupytext
import nbformat
import yaml
from nbclient import NotebookClient

from tests.support.grading import REPO_ROOT
from tools import launch_notebooks
from tools.book_toc import chapter_pages, executed_pages


def test_one_notebook_per_chapter_with_the_chapter_unchanged(tmp_path):
    written = launch_notebooks.write_chapter_notebooks(tmp_path)
    chapters = chapter_pages()
    assert "book/why_upsampling" in chapters and "book/mnist_lab" in chapters
    # Pages that read the checkout (tools/) run only in the book build: no copy.
    assert not {"book/exercises", "book/instructor/planning"} & set(chapters)
    assert set(executed_pages()) - set(chapters) == {
        "book/exercises",
        "book/instructor/answer_keys",
        "book/instructor/planning",
    }
    assert [p.stem for p in written] == [c.split("/")[-1] for c in chapters]
    for chapter, path in zip(chapters, written, strict=True):
        notebook = nbformat.read(path, as_version=4)
        original = jupytext.read(REPO_ROOT / f"{chapter}.md")
        assert [c.source for c in notebook.cells[1:]] == [c.source for c in original.cells]
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_every_released_exercise_gets_a_copy_with_its_graded_cells_unchanged(tmp_path):
    releases = sorted((REPO_ROOT / "exercises").glob("*/*.ipynb"))
    assert releases, "no released exercises"
    written = launch_notebooks.write_exercise_notebooks(tmp_path)
    assert [p.name for p in written] == [p.name for p in releases]
    for release, path in zip(releases, written, strict=True):
        original = nbformat.read(release, as_version=4)
        copy = nbformat.read(path, as_version=4)
        assert copy.cells[0].source == launch_notebooks.colab_setup_cell("exercise").source
        assert "nbgrader" not in copy.cells[0].metadata, "the set-up cell must not be graded"
        assert copy.cells[1:] == original.cells, f"{path.name}: the release's cells changed"
    # Run twice in place, the copies keep one set-up cell.
    again = launch_notebooks.with_setup_cell(nbformat.read(path, as_version=4), "exercise")
    assert again.cells == copy.cells


def test_setup_cell_installs_the_student_install_from_the_branch_the_launch_buttons_open():
    repository = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["repository"]
    expected = f"upsampling-course[lab] @ git+{repository['url']}@{repository['branch']}"
    # Chapters and exercises install the same: the chapters' glue needs no myst-nb.
    for kind in ("exercise", "chapter"):
        source = launch_notebooks.colab_setup_cell(kind).source
        assert source.endswith(f'%pip install --quiet "{expected}"'), source
        assert 'if "google.colab" in sys.modules:' in source
        assert "myst" not in source
    assert launch_notebooks.student_install_command() == f'pip install "{expected}"'
    # The student-sized install: the lab extra names no book, grading or test tools.
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    lab = " ".join(extras["optional-dependencies"]["lab"])
    for tool in ("jupyter-book", "nbgrader", "pytest", "playwright", "upsampling-course["):
        assert tool not in lab, f"the lab extra installs {tool}, which no student needs"


def test_launch_links_open_the_copies_on_the_branch():
    repository = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["repository"]
    github = repository["url"].removeprefix("https://github.com/")
    path = "exercises/shape_formulas/shape_formulas.ipynb"
    assert launch_notebooks.colab_url(path) == (
        f"https://colab.research.google.com/github/{github}/blob/{repository['branch']}/{path}"
    )
    assert launch_notebooks.binder_url(path).endswith(f"/{repository['branch']}?labpath={path}")


def test_setup_cell_does_nothing_outside_colab():
    notebook = nbformat.v4.new_notebook(cells=[launch_notebooks.colab_setup_cell()])
    notebook.cells.append(nbformat.v4.new_code_cell('"google.colab" in sys.modules'))
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    outputs = notebook.cells[1].outputs
    assert outputs[0]["data"]["text/plain"] == "False"
    assert not notebook.cells[0].outputs, "outside Colab the set-up cell must print nothing"


def test_chapters_take_glue_from_the_student_package_in_a_hidden_cell():
    """A downloaded chapter runs without myst-nb: its glue is upsampling_course.pages'."""
    for chapter in chapter_pages():
        notebook = jupytext.read(REPO_ROOT / f"{chapter}.md")
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert not [c for c in code if "myst_nb" in c.source], f"{chapter} imports myst_nb"
        imports = [c for c in code if "from upsampling_course.pages import glue" in c.source]
        assert len(imports) == 1, f"{chapter} must import glue once from upsampling_course.pages"
        tags = imports[0].metadata.get("tags", [])
        assert "remove-cell" in tags, f"{chapter} shows its glue import (build plumbing)"
