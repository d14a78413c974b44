"""The Chinese edition's web font: Noto Sans CJK SC cut down to the characters the site uses.

Chinese pages name this font first (`_ext/static/fonts/course-cjk.css`), so
that they read the same on every machine, offline, and in the PDF that
headless Chromium prints from them. The whole font is 16 MB; the subset holds
only the characters of the Chinese catalogs (ours and the theme's and
Sphinx's for zh_CN) and the extension's own notes, so it is a few hundred KB.

It is cut from Debian's `fonts-noto-cjk` (SIL Open Font License 1.1) with
fontTools, and committed: builds and tests need neither the package nor a
network. After translating, `python3 dev.py translations` cuts it again;
tests/book/test_book.py fails while a Chinese page uses a character it lacks.
"""

from __future__ import annotations

from pathlib import Path

from tools import translations

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY = "Noto Sans CJK SC"
FONTS = translations.ROOT / "_ext" / "static" / "fonts"
SUBSET = FONTS / "noto-sans-sc-course.woff2"
# Text the extension and templates write in Chinese, and the language switch.
EXTRA_TEXT = (
    translations.UNTRANSLATED
    + translations.INSTRUCTORS_IN_ENGLISH
    + "注意中文整本书的"
    + "（）：；，。、？！《》“”"
)


def is_cjk(character: str) -> bool:
    code = ord(character)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def theme_catalogs() -> list[Path]:
    """The zh_CN catalogs of Sphinx and of the themes, which translate the pages' frame."""
    import sphinx
    import sphinx_book_theme

    found = [Path(sphinx.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES" / "sphinx.po"]
    found += Path(sphinx_book_theme.__file__).parent.glob("locales/zh*/LC_MESSAGES/*.po")
    return [path for path in found if path.is_file()]


def used_characters() -> set[str]:
    from babel.messages.pofile import read_po

    text = EXTRA_TEXT
    for path in [*translations.CATALOGS.rglob("*.po"), *theme_catalogs()]:
        with path.open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                text += "".join(s or "" for s in strings)
    return {character for character in text if is_cjk(character)}


def source_font():
    from fontTools.ttLib import TTCollection

    for font in TTCollection(str(SOURCE)).fonts:
        if font["name"].getDebugName(1) == FAMILY:
            return font
    raise RuntimeError(f"{SOURCE} holds no {FAMILY}")


def cut_font() -> Path:
    """Write the subset as WOFF2 (needs fonts-noto-cjk and the brotli package)."""
    if not SOURCE.is_file():
        raise SystemExit(f"{SOURCE} is missing: apt-get install fonts-noto-cjk")
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    # Latin text stays in the theme's font; only CJK characters are taken from this one.
    subsetter.populate(text="".join(sorted(used_characters())))
    font = source_font()
    subsetter.subset(font)
    FONTS.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff2"
    font.save(str(SUBSET))
    return SUBSET
