"""The Chinese edition (中文版): its message catalogs and its build, from the English sources.

    python -m tools.translations update   re-extract the messages, update locale/zh_CN/*.po
    python -m tools.translations build    build the Chinese site into _build/html/zh
    python -m tools.translations check    what the sync test checks, as a report
    python -m tools.translations font     cut the web font down to the characters used

`python3 dev.py book` runs `build` after the English build, and
`python3 dev.py translations` runs `update` then `font`.

Both editions are built from the same pages with Sphinx's gettext machinery:
the English text is the msgid, locale/zh_CN/LC_MESSAGES/<page>.po holds the
Chinese. Code, executed outputs and glued numbers come from the English
build's run: the Chinese build reads the same jupyter-cache and executes
nothing (_ext/course_i18n.py fails the build if it would), so the English
build must come first. Jupyter Book 1.x cannot pass `-D language=` to its
build command (jupyter-book #1791); this module calls the function that
command calls, with the language among the configuration overrides.

The Chinese build lives in _build/zh (its own doctrees and environment, so
that both editions rebuild incrementally) and is copied to _build/html/zh,
beside the English site it is published with.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale"
CATALOGS = LOCALE / LANGUAGE / "LC_MESSAGES"
# The one list of translated pages: the build marks every other page as English,
# and tests/repo/test_translations.py holds these pages' catalogs complete.
TRANSLATED_PAGES = LOCALE / LANGUAGE / "translated_pages.yml"
TERMS = LOCALE / "terms.yml"
BUILD = ROOT / "_build"
ZH_BUILD = BUILD / "zh"
SITE_SUBFOLDER = "zh"
# What the Chinese edition says in Chinese outside the catalogs (_ext/course_i18n.py
# writes them; tools/translation_font.py keeps their characters in the web font).
UNTRANSLATED = "本页尚未翻译，以下为英文原文。"
# The instructor pages are not translated this round (issue #34 allows it): each one
# still in English says so, and so does the Chinese home page, in these same words.
INSTRUCTOR_PAGES = "book/instructor/"
INSTRUCTORS_IN_ENGLISH = "教师用页面（“For instructors”部分）暂时只有英文版，中文版将在以后补上。"
# The one execution cache of both editions (myst-nb's default for the English build).
EXECUTION_CACHE = BUILD / ".jupyter_cache"


def translated_pages() -> list[str]:
    """Pages (TOC paths without extension) whose Chinese catalog is declared complete."""
    return list(yaml.safe_load(TRANSLATED_PAGES.read_text())["translated"])


def terms() -> list[dict]:
    """The EN→ZH term list: [{en, zh: [...], except: [...]}] (the first zh is the one to use).

    `except` lists English phrases in which the word means something else; the
    term check skips a message that has the word only inside them.
    """
    entries = yaml.safe_load(TERMS.read_text())["terms"]
    return [
        {
            "en": e["en"],
            "zh": [e["zh"]] if isinstance(e["zh"], str) else e["zh"],
            "except": e.get("except", []),
        }
        for e in entries
    ]


def sphinx_build(builder: str, outdir: Path, doctrees: Path, **overrides) -> int:
    """Run Sphinx as `jupyter-book build . -W -n --keep-going` does, with more overrides."""
    from jupyter_book.sphinx import build_sphinx

    confoverrides = {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
        "nb_execution_cache_path": str(EXECUTION_CACHE),
        **overrides,
    }
    result = build_sphinx(
        ROOT,
        outdir,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides=confoverrides,
        doctreedir=doctrees,
        builder=builder,
        warningiserror=True,
        keep_going=True,
    )
    return result if isinstance(result, int) else 1


def extract(outdir: Path) -> int:
    """Write one .pot per page into outdir. Nothing is executed: messages are the text.

    Without outputs, glued numbers and the labels of figures a cell draws are
    missing; the messages hold the roles that name them, so those warnings
    are left out here (the HTML builds of both editions check them).
    """
    return sphinx_build(
        "gettext",
        outdir,
        outdir / ".doctrees",
        nb_execution_mode="off",
        suppress_warnings=["mystnb.glue", "ref"],
    )


def update() -> int:
    """Re-extract the messages and merge them into the catalogs (sphinx-intl update)."""
    pot = BUILD / "gettext"
    status = extract(pot)
    if status:
        return status
    from sphinx_intl.basic import update as intl_update

    intl_update(str(LOCALE), str(pot), [LANGUAGE], line_width=76, ignore_obsolete=True)
    # The exercises with a Chinese release have their catalogs too (not Sphinx pages).
    from tools import exercise_translations

    exercise_translations.update()
    # Sphinx's own strings (the theme's are in its catalogs); only the templates' are ours.
    return 0


def title() -> str:
    """The book's title in Chinese: _config.yml's title as the root page's catalog translates it."""
    from babel.messages.pofile import read_po

    english = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    with (CATALOGS / "book" / "intro.po").open("rb") as handle:
        message = read_po(handle).get(english)
    return message.string if message is not None and message.string else english


def build() -> int:
    """Build the Chinese site and copy it beside the English one (_build/html/zh)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    # Canonical links (and the PDF's links to the website) point at the /zh/ pages.
    baseurl = config["sphinx"]["config"]["html_baseurl"] + f"{SITE_SUBFOLDER}/"
    status = sphinx_build(
        "html",
        ZH_BUILD / "html",
        ZH_BUILD / ".doctrees",
        language=LANGUAGE,
        html_title=title(),
        html_baseurl=baseurl,
    )
    if status:
        return status
    site = BUILD / "html" / SITE_SUBFOLDER
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(ZH_BUILD / "html", site, ignore=shutil.ignore_patterns(".buildinfo"))
    print(f"[translations] the Chinese edition is in {site.relative_to(ROOT)}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["update", "build", "check", "font"])
    args = parser.parse_args(argv)
    if args.task == "update":
        return update()
    if args.task == "build":
        return build()
    if args.task == "font":
        from tools.translation_font import cut_font

        print(cut_font())
        return 0
    from tools.translation_checks import catalog_problems

    with tempfile.TemporaryDirectory() as scratch:
        problems = catalog_problems(Path(scratch))
    print("\n".join(problems) or "the catalogs are up to date and complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
