"""The points each notebook's text states equal its nbgrader metadata, for every assignment.

Students read "Five answers, 14 points" and "## 2. ... (3 points)"; the
grader uses the test cells' metadata. tools.assignment_facts
reads both; this test fails when they disagree or when an assignment has no
expected working time for the Exercises page.
"""

from __future__ import annotations

import pytest

from tools.assignment_facts import all_assignments, assignment_facts


@pytest.mark.parametrize("name", all_assignments())
def test_stated_total_equals_metadata(name):
    facts = assignment_facts(name)
    assert facts.stated_total is not None, (
        f"{name}: the intro needs '**How it is graded.** ... N points.'"
    )
    assert facts.stated_total == facts.points, (
        f"{name}: the text states {facts.stated_total} points, the test cells give {facts.points:g}"
    )
    assert facts.points >= 10, f"{name}: at least 10 points per assignment"


@pytest.mark.parametrize("name", all_assignments())
def test_each_heading_states_the_points_of_its_test_cells(name):
    facts = assignment_facts(name)
    assert facts.sections, f"{name}: no '## ... (N points)' headings"
    wrong = [s for s in facts.sections if s.stated != s.graded]
    assert not wrong, "; ".join(
        f"{name}: '{s.heading}' states {s.stated} points, its test cells give {s.graded:g}"
        for s in wrong
    )


@pytest.mark.parametrize("name", all_assignments())
def test_expected_time_is_in_the_metadata(name):
    minutes = assignment_facts(name).minutes
    assert isinstance(minutes, int) and 5 <= minutes <= 300, (
        f"{name}: set metadata['upsampling_course']['expected_minutes'] in the notebook"
    )
