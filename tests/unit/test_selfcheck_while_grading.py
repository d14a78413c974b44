"""The self-check runs for the student and is skipped while the grader runs the notebook."""

from __future__ import annotations

from upsampling_course.selfcheck import self_check
from upsampling_course.variants import GRADING_ID_VARIABLE


def test_self_check_runs_every_check_for_the_student(monkeypatch, capsys):
    monkeypatch.delenv(GRADING_ID_VARIABLE, raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "student-a")
    rows = self_check("shape_formulas", namespace={})
    assert rows and all(result == "not yet" for _, result, _ in rows)
    assert "not yet" in capsys.readouterr().out


def test_self_check_is_skipped_while_grading(monkeypatch, capsys):
    monkeypatch.setenv(GRADING_ID_VARIABLE, "student-a")
    assert self_check("shape_formulas", namespace={}) == []
    assert "skipped while grading" in capsys.readouterr().out
