"""The Chinese catalogs stay in step with the English pages (tools/translation_checks.py).

Each check is run on the real catalogs, and on a copy broken the way it
guards against, so that a check that stopped finding anything would fail.
"""

from __future__ import annotations

import shutil

import pytest
from babel.messages.pofile import read_po, write_po

from tools import translation_checks as checks
from tools import translations


def _edit_catalog(folder, page, edit) -> None:
    path = checks.page_catalog(page, folder)
    with path.open("rb") as handle:
        catalog = read_po(handle)
    edit(catalog)
    with path.open("wb") as handle:
        write_po(handle, catalog)


@pytest.fixture
def catalogs_copy(tmp_path):
    folder = tmp_path / "LC_MESSAGES"
    shutil.copytree(translations.CATALOGS, folder)
    return folder


def test_translated_pages_are_toc_pages_with_catalogs():
    from tools.book_toc import toc_files

    pages = translations.translated_pages()
    assert pages, "no page is declared translated"
    assert set(pages) <= set(toc_files()), set(pages) - set(toc_files())
    for page in pages:
        assert checks.page_catalog(page).is_file(), page


def test_translated_pages_have_no_fuzzy_or_untranslated_message():
    assert checks.incomplete_messages() == []


def test_a_fuzzy_or_emptied_message_of_a_translated_page_is_found(catalogs_copy):
    page = translations.translated_pages()[0]

    def spoil(catalog):
        first, second = [message for message in catalog if message.id][:2]
        first.flags.add("fuzzy")
        second.string = ""

    _edit_catalog(catalogs_copy, page, spoil)
    found = checks.incomplete_messages(catalogs_copy)
    assert any("fuzzy" in problem for problem in found), found
    assert any("untranslated" in problem for problem in found), found


def test_translations_use_the_term_list():
    assert checks.term_mismatches() == []


def test_a_term_translated_otherwise_is_found(catalogs_copy):
    def retranslate(catalog):
        for message in catalog:
            if message.string and "转置卷积" in message.string:
                message.string = message.string.replace("转置卷积", "反卷积")
                return
        raise AssertionError("no translated message uses 转置卷积")

    _edit_catalog(catalogs_copy, "book/glossary", retranslate)
    assert any("transposed convolution" in p for p in checks.term_mismatches(catalogs_copy))


def test_a_convolution_kernel_written_as_a_jupyter_kernel_is_found(catalogs_copy):
    # "the kernel" is a convolution kernel here; only Jupyter and device kernels are 内核.
    def retranslate(catalog):
        for message in catalog:
            if message.string and "the kernel" in message.id and "卷积核" in message.string:
                message.string = message.string.replace("卷积核", "内核")
                return
        raise AssertionError("no translated message says 'the kernel' with 卷积核")

    _edit_catalog(catalogs_copy, "book/conv2d_transpose", retranslate)
    assert any("'kernel'" in p for p in checks.term_mismatches(catalogs_copy))


def test_term_check_reads_prose_only():
    kernel = {"en": "kernel", "zh": ["卷积核", "核"], "except": ["Jupyter kernel"]}
    assert checks.uses_term("Each kernel of the layer", kernel)
    assert not checks.uses_term("Restart the Jupyter kernel", kernel)
    assert not checks.uses_term("`kernel_size=3` and {ref}`kernel-label`", kernel)
    assert checks.uses_term("a {term}`kernel <sub-kernel>`", kernel)


def test_the_term_list_keeps_its_exceptions():
    listed = {term["en"]: term for term in translations.terms()}
    assert "Jupyter kernel" in listed["kernel"]["except"]  # a Jupyter kernel is 内核


def test_translations_keep_roles_code_math_and_links():
    assert checks.broken_markup() == []


def test_a_translation_that_changed_a_role_target_is_found():
    english = "A {term}`stride` of $s$ in `Conv2D`, see {ref}`conv2d-transpose`."
    kept = "{term}`步幅 <stride>` $s$ 在 `Conv2D` 中，见 {ref}`conv2d-transpose`。"
    assert checks.kept_markup(english) == checks.kept_markup(kept)
    for broken in (
        kept.replace("<stride>", "<步幅>"),
        kept.replace("$s$", "s"),
        kept.replace("`Conv2D`", "Conv2D"),
        kept.replace("{ref}`conv2d-transpose`", "第 3 章"),
    ):
        assert checks.kept_markup(english) != checks.kept_markup(broken), broken


def test_translations_write_no_numbered_kernel():
    assert checks.numbered_kernels() == []


def test_the_kernel_number_shorthand_is_found(catalogs_copy):
    # "卷积核 3" reads as "kernel no. 3"; the catalogs write 大小为 3 的卷积核 / 卷积核大小为 3.
    def shorten(catalog):
        for message in catalog:
            if message.string and "卷积核大小为 3" in message.string:
                message.string = message.string.replace("卷积核大小为 3", "卷积核 3")
                return
        raise AssertionError("no translated message says 卷积核大小为 3")

    _edit_catalog(catalogs_copy, "book/checkerboard_artifacts", shorten)
    found = checks.numbered_kernels(catalogs_copy)
    assert any("'卷积核 3'" in problem for problem in found), found


def test_the_kernel_number_check_allows_sizes():
    for fine in (
        "大小为 3 的卷积核",
        "卷积核大小为 3",
        "卷积核为 3 × 3",
        "卷积核为 1×1",
        "`卷积核 3`",
    ):
        assert not checks.NUMBERED_KERNEL.search(checks.prose(fine)), fine
    for shorthand in ("卷积核 3", "卷积核为 5 的转置卷积", "转置卷积核 3、4、5", "卷积核4"):
        assert checks.NUMBERED_KERNEL.search(checks.prose(shorthand)), shorthand


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the sources now (about 20 s: every page is read, nothing executed)."""
    folder = tmp_path_factory.mktemp("gettext")
    assert translations.extract(folder) == 0
    return folder


@pytest.mark.slow
def test_catalogs_match_the_sources(extracted):
    # After an English change: `python3 dev.py translations`.
    assert checks.stale_catalogs(extracted, extract=False) == []


@pytest.mark.slow
def test_a_catalog_missing_a_message_is_stale(extracted, monkeypatch, catalogs_copy):
    _edit_catalog(catalogs_copy, "book/intro", lambda c: c.delete(next(m.id for m in c if m.id)))
    monkeypatch.setattr(translations, "CATALOGS", catalogs_copy)
    found = checks.stale_catalogs(extracted, extract=False)
    assert any("book/intro.po is out of date" in p for p in found), found


@pytest.mark.slow
def test_figure_captions_and_alt_texts_of_cell_metadata_are_messages(extracted):
    # _ext/course_i18n.figure_messages: myst-nb makes no figure in an extraction that runs nothing.
    with (extracted / "book" / "upsampling2d.pot").open("rb") as handle:
        ids = {m.id for m in read_po(handle)}
    assert any(i.startswith("The backward pass of UpSampling2D with size 2 × 2.") for i in ids)
    assert any(i.startswith("Three grids of numbers. The left grid is 4 by 4") for i in ids)


@pytest.mark.slow
def test_an_exercise_catalog_missing_a_message_is_stale(extracted, monkeypatch, catalogs_copy):
    from tools import exercise_translations

    (assignment,) = exercise_translations.translated_exercises()
    _edit_catalog(
        catalogs_copy, f"exercises/{assignment}", lambda c: c.delete(next(m.id for m in c if m.id))
    )
    monkeypatch.setattr(translations, "CATALOGS", catalogs_copy)
    found = checks.stale_catalogs(extracted, extract=False)
    assert any(f"exercises/{assignment}.po is out of date" in p for p in found), found


def test_the_chinese_release_changes_the_instructions_only():
    """Code cells, nbgrader metadata and names as in the English release: graded the same."""
    import nbformat

    from tools import exercise_translations
    from tools.translation_font import is_cjk

    for assignment in exercise_translations.translated_exercises():
        for english_path in exercise_translations.notebooks(
            assignment, exercise_translations.EXERCISES
        ):
            chinese_path = (
                english_path.parent / exercise_translations.RELEASE_FOLDER / english_path.name
            )
            english = nbformat.read(english_path, as_version=4)
            chinese = nbformat.read(chinese_path, as_version=4)
            assert chinese.metadata == english.metadata
            assert len(chinese.cells) == len(english.cells)
            for ours, theirs in zip(chinese.cells, english.cells, strict=True):
                assert (ours.cell_type, ours.metadata) == (theirs.cell_type, theirs.metadata)
                if exercise_translations.is_instruction(theirs):
                    assert any(map(is_cjk, ours.source)), theirs.source[:60]
                else:
                    assert ours.source == theirs.source


def test_an_untranslated_exercise_paragraph_is_found(catalogs_copy, monkeypatch):
    from tools import exercise_translations

    (assignment,) = exercise_translations.translated_exercises()

    def empty_first(catalog):
        next(m for m in catalog if m.id).string = ""

    _edit_catalog(catalogs_copy, f"exercises/{assignment}", empty_first)
    found = checks.incomplete_messages(catalogs_copy)
    assert any(f"exercises/{assignment}.po: untranslated" in p for p in found), found
