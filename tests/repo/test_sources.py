"""Sources stay clean: no committed outputs, valid notebooks, chapters as MyST notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.grading import REPO_ROOT

COMMITTED_NOTEBOOKS = sorted(
    p
    for folder in ("book", "solutions", "exercises")
    for p in (REPO_ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
CHAPTERS = sorted((REPO_ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("path", COMMITTED_NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_notebook_has_no_outputs(path: Path):
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), (
                f"cell {index} has outputs: clear them before committing"
            )
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"


def test_book_has_no_ipynb_chapters():
    assert not list((REPO_ROOT / "book").rglob("*.ipynb")), "chapters are MyST .md notebooks"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_a_readable_source(path: Path):
    text = path.read_text()
    if "{code-cell}" in text:
        assert text.startswith("---\njupytext:"), f"{path.name}: code cells need a jupytext header"
        assert "kernelspec:" in text.split("---")[1], f"{path.name}: header needs a kernelspec"
