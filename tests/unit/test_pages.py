"""upsampling_course.pages.glue: myst-nb's glue in the book build, nothing in a student install."""

from __future__ import annotations

import sys
import types

import pytest

from upsampling_course import pages


@pytest.fixture
def fresh_lookup():
    """Each test decides afresh whether myst-nb is importable."""
    pages._myst_nb_glue.cache_clear()
    yield
    pages._myst_nb_glue.cache_clear()


def test_without_myst_nb_glue_does_nothing_and_shows_nothing(fresh_lookup, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb now raises ImportError
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    assert pages.glue("count", 1153, display=False) is None
    assert pages.glue("figure", object()) is None
    assert shown == [] and capsys.readouterr() == ("", "")


def test_with_myst_nb_glue_forwards_every_argument(fresh_lookup, monkeypatch):
    calls = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, value, display=True: calls.append((name, value, display))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    pages.glue("count", 1153, display=False)
    pages.glue("ratio", 0.5)
    assert calls == [("count", 1153, False), ("ratio", 0.5, True)]


def test_the_book_build_gets_the_real_myst_nb_glue(fresh_lookup):
    myst_nb = pytest.importorskip("myst_nb")
    assert pages._myst_nb_glue() is myst_nb.glue


@pytest.mark.parametrize("name", ["", None, 3])
def test_a_missing_name_is_one_clear_error(name):
    with pytest.raises(TypeError, match="glue needs a non-empty name"):
        pages.glue(name, 1)
