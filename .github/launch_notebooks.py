"""Write Colab-ready .ipynb copies of the book's executed chapters.

Used by .github/workflows/deploy.yml before it builds the book. Colab opens
only .ipynb files, and a fresh Colab machine lacks the course's helper
package; the chapters themselves are MyST Markdown. For every TOC page that
is a MyST notebook, this writes `<page>.ipynb` (a jupytext conversion, no
outputs) whose first cell installs the helper package, on Colab only, from
the branch the launch buttons open. On Binder, or in a local copy, the cell
does nothing: there `requirements.txt` has installed everything.

When these files sit next to the chapters during the build, the theme's
launch buttons link the .ipynb instead of the .md (Sphinx ignores them:
`book/*.ipynb` is in `exclude_patterns`). The workflow then pushes them, with
the rest of the repository, to that branch.

    python .github/launch_notebooks.py               # writes book/<chapter>.ipynb
    python .github/launch_notebooks.py --out /tmp/nb # somewhere else
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jupytext
import nbformat
import yaml

from upsampling_course.book_toc import executed_pages

REPO_ROOT = Path(__file__).resolve().parents[1]

COLAB_SETUP = """\
# On Colab only: install the course's helper package (a minute). Binder and
# local copies already have it from requirements.txt.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet mlxtend "upsampling-course @ git+{repository}@{branch}"
"""


def executed_chapters(repo_root: Path = REPO_ROOT) -> list[str]:
    """TOC pages (without extension) whose source is a MyST notebook."""
    return executed_pages(repo_root)


def colab_setup_cell(repo_root: Path = REPO_ROOT) -> nbformat.NotebookNode:
    repository = yaml.safe_load((repo_root / "_config.yml").read_text())["repository"]
    url = repository["url"].rstrip("/")
    if not url.startswith("https://github.com/"):
        raise ValueError(f"Colab opens notebooks from GitHub only; repository.url is {url}")
    source = COLAB_SETUP.format(repository=url, branch=repository.get("branch", "main"))
    # The book never shows this cell; the notebook copies are not part of the book anyway.
    return nbformat.v4.new_code_cell(source.rstrip("\n"), metadata={"tags": ["remove-cell"]})


def write_launch_notebooks(out_dir: Path | None = None, repo_root: Path = REPO_ROOT) -> list[Path]:
    """Write one notebook per executed chapter; return their paths."""
    written = []
    setup_cell = colab_setup_cell(repo_root)
    for page in executed_chapters(repo_root):
        notebook = jupytext.read(repo_root / f"{page}.md")
        notebook.cells.insert(0, setup_cell)
        notebook.metadata.pop("jupytext", None)
        target = (out_dir / Path(page).name if out_dir else repo_root / page).with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.validate(notebook)
        nbformat.write(notebook, target)
        written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, help="folder for the notebooks (default: beside the chapters)"
    )
    args = parser.parse_args()
    for path in write_launch_notebooks(args.out):
        print(path)


if __name__ == "__main__":
    main()
