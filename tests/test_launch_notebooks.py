"""The Colab/Binder copies of the chapters that the deploy workflow publishes."""

from __future__ import annotations

import importlib.util

import jupytext
import nbformat
import yaml
from grading_harness import REPO_ROOT
from nbclient import NotebookClient

spec = importlib.util.spec_from_file_location(
    "launch_notebooks", REPO_ROOT / ".github" / "launch_notebooks.py"
)
launch_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launch_notebooks)


def test_one_notebook_per_executed_chapter_with_the_chapter_unchanged(tmp_path):
    written = launch_notebooks.write_launch_notebooks(tmp_path)
    chapters = launch_notebooks.executed_chapters()
    assert "book/why_upsampling" in chapters
    assert [p.stem for p in written] == [c.split("/")[-1] for c in chapters]
    for chapter, path in zip(chapters, written, strict=True):
        notebook = nbformat.read(path, as_version=4)
        original = jupytext.read(REPO_ROOT / f"{chapter}.md")
        assert [c.source for c in notebook.cells[1:]] == [c.source for c in original.cells]
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_setup_cell_installs_from_the_branch_the_launch_buttons_open():
    repository = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["repository"]
    source = launch_notebooks.colab_setup_cell().source
    assert f"git+{repository['url']}@{repository['branch']}" in source
    assert 'if "google.colab" in sys.modules:' in source


def test_setup_cell_does_nothing_outside_colab():
    notebook = nbformat.v4.new_notebook(cells=[launch_notebooks.colab_setup_cell()])
    notebook.cells.append(nbformat.v4.new_code_cell('"google.colab" in sys.modules'))
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    outputs = notebook.cells[1].outputs
    assert outputs[0]["data"]["text/plain"] == "False"
    assert not notebook.cells[0].outputs, "outside Colab the set-up cell must print nothing"
