"""nbgrader's OverwriteCells without its false "checksum has changed!" warnings (#1961).

``nbgrader generate_assignment`` records each locked cell's checksum in the
gradebook *before* it clears the hidden tests, and the released notebook's
*after* (nbgrader issue #1961). ``nbgrader autograde`` then compares the
submitted cell with the gradebook's checksum, so every untouched test cell
with hidden tests is reported as changed ("Attribute 'checksum' for cell ...
has changed!"): ten lines per student for ``predict_shapes``, the blank
submission included. The grading itself is right either way: nbgrader puts
the source cell back, hidden tests and all.

:class:`OverwriteCells` keeps nbgrader's behaviour and its warning for a
cell that really differs from the release; it stays quiet (a debug line)
when the submitted cell is exactly what the release gave the student. The
course's ``nbgrader_config.py`` puts it in ``Autograde.sanitize_preprocessors``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.preprocessors import OverwriteCells as NbgraderOverwriteCells
from traitlets import Unicode

# nbgrader's autograde sanitising steps, with this module's OverwriteCells.
SANITIZE_STEPS = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "upsampling_grader.overwrite_cells.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def released_checksum(cell, source: str) -> str:
    """The checksum ``cell`` has in the release when its source cell is ``source``: the
    source with its hidden tests cleared, as generate_assignment clears them."""
    released = copy.deepcopy(cell)
    released.source = source
    ClearHiddenTests()._remove_hidden_test_region(released)
    return utils.compute_checksum(released)


class OverwriteCells(NbgraderOverwriteCells):
    """nbgrader's OverwriteCells, warning only about cells that differ from the release.

    A locked cell as another edition of the release gave it (the Chinese one, whose
    instructions are translated) is not a change either, and keeps that edition's text.
    """

    editions_file = Unicode(
        "", help="JSON: notebook -> grade id -> checksums of the release's other editions"
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        self._cell = cell  # report_change needs the cell nbgrader is looking at
        edition_text = cell.source if self._from_another_edition(cell) else None
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if edition_text is not None:
            cell.source = edition_text  # what the student read, in the feedback too
        return cell, resources

    def report_change(self, name, attr, old, new) -> None:
        if attr == "checksum" and new == self._release_checksum(name):
            self.log.debug("cell %s is as released (its hidden tests are put back)", name)
            return
        if attr == "checksum" and self._from_another_edition(self._cell):
            self.log.debug("cell %s is as another edition of the release gave it", name)
            return
        super().report_change(name, attr, old, new)

    def _from_another_edition(self, cell) -> bool:
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if not (self.editions_file and name):
            return False
        if not hasattr(self, "_editions"):
            self._editions = json.loads(Path(self.editions_file).read_text())
        known = self._editions.get(self.notebook_id, {}).get(name, [])
        return utils.compute_checksum(cell) in known

    def _release_checksum(self, name: str) -> str:
        source_cell = self.gradebook.find_source_cell(name, self.notebook_id, self.assignment_id)
        return released_checksum(self._cell, source_cell.source)
