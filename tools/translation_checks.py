"""What keeps the Chinese catalogs in step with the English pages (tests/repo/test_translations.py).

- `stale_catalogs`: a page's catalog lacks a message its source now has, or
  keeps one it no longer has (re-extracted into a scratch folder and
  compared by msgid), so `python3 dev.py translations` has to run;
- `incomplete_messages`: a page (or an exercise with a Chinese release)
  declared translated has an untranslated or fuzzy message;
- `term_mismatches`: a translated message whose English uses a term of
  locale/terms.yml but whose Chinese does not use that term's translation;
- `broken_markup`: a translation that lost or changed a role, a reference,
  a formula or a link of its English (they must be copied exactly);
- `numbered_kernels`: the shorthand "卷积核 3" (a digit right after 卷积核),
  which reads as "kernel no. 3": a size is 大小为 3 的卷积核 or 卷积核大小为 3,
  a 2-D one 卷积核为 3 × 3.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

from tools import exercise_translations, translations

# MyST that a translation copies as it is: roles with their target, inline code,
# inline math, and link targets. Display math and directives are their own messages.
ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
CODE = re.compile(r"`[^`]*`")
MATH = re.compile(r"(?<![\\$])\$[^$\n]+\$")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
# A role's target: `{term}`phase gains <phase gain>`` → "phase gain"; `{ref}`label`` → "label".
ROLE_TARGET = re.compile(r"\{([\w:.-]+)\}`(?:[^`<]*<)?([^`>]*)>?`")
# Roles whose text a translation may change (the text shown), keeping the target.
TEXT_ROLES = {"term", "ref", "doc", "numref"}


def catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def page_catalog(page: str, folder: Path = translations.CATALOGS) -> Path:
    return folder / f"{page}.po"


def messages(path: Path) -> Iterator:
    """The catalog's messages, without its header entry."""
    for message in catalog(path):
        if message.id:
            yield message


def stale_catalogs(scratch: Path, extract: bool = True) -> list[str]:
    """Pages whose catalog's msgids differ from a fresh extraction of the sources into
    scratch (or, with extract=False, from the .pot files already there)."""
    if extract and translations.extract(scratch) != 0:
        return ["extracting the messages failed (see the Sphinx output above)"]
    # The exercises' catalogs (tools/exercise_translations.py) beside the pages'.
    exercise_translations.write_templates(scratch)
    problems = []
    templates = {pot.relative_to(scratch).with_suffix("") for pot in scratch.rglob("*.pot")}
    # sphinx.po translates the templates' few strings (extracted as sphinx.pot).
    kept = {
        po.relative_to(translations.CATALOGS).with_suffix("")
        for po in translations.CATALOGS.rglob("*.po")
    }
    for name in sorted(templates | kept, key=str):
        pot, po = scratch / f"{name}.pot", translations.CATALOGS / f"{name}.po"
        if not po.is_file() or not pot.is_file():
            problems.append(f"{name}: {'no catalog' if pot.is_file() else 'a catalog of no page'}")
            continue
        fresh = {m.id for m in messages(pot)}
        current = {m.id for m in messages(po)}
        if fresh != current:
            problems.append(
                f"{name}.po is out of date: {len(fresh - current)} new message(s), "
                f"{len(current - fresh)} gone (first new: {sorted(fresh - current)[:1]})"
            )
    return problems


def incomplete_messages(folder: Path = translations.CATALOGS) -> list[str]:
    """Untranslated or fuzzy messages of the pages declared translated."""
    problems = []
    exercises = [
        f"{exercise_translations.FOLDER}/{a}" for a in exercise_translations.translated_exercises()
    ]
    for page in translations.translated_pages() + exercises:
        path = page_catalog(page, folder)
        if not path.is_file():
            problems.append(f"{page}: declared translated, but has no catalog")
            continue
        for message in messages(path):
            if message.fuzzy or not message.string:
                state = "fuzzy" if message.fuzzy else "untranslated"
                problems.append(f"{page}.po: {state}: {message.id[:70]!r}")
    return problems


def _shown_term(match: re.Match) -> str:
    """A {term} role shows its text (`{term}`strides <stride>`` shows "strides"); others go."""
    role = match.group(0)
    if not role.startswith("{term}"):
        return " "
    return f" {role[len('{term}`') : -1].split('<')[0]} "


def prose(text: str) -> str:
    """The words of a message as shown: glossary roles' text, no code, math or link targets."""
    text = ROLE.sub(_shown_term, text)
    for pattern in (CODE, MATH, LINK_TARGET):
        text = pattern.sub(" ", text)
    return text


def uses_term(english: str, term: dict) -> bool:
    words = prose(english)
    for phrase in term.get("except", []):
        words = re.sub(re.escape(phrase), " ", words, flags=re.IGNORECASE)
    # Plurals and -ed/-ing forms count ("strides", "upsampled"); names such as
    # UpSampling2D do not (a word that goes on with a digit or an underscore).
    pattern = rf"\b{re.escape(term['en'])}(?!\w*[0-9_])"
    return re.search(pattern, words, flags=re.IGNORECASE) is not None


def term_mismatches(folder: Path = translations.CATALOGS) -> list[str]:
    problems = []
    terms = translations.terms()
    for path in sorted(folder.rglob("*.po")):
        for message in messages(path):
            if not message.string or message.fuzzy:
                continue
            for term in terms:
                if uses_term(message.id, term) and not any(
                    zh in message.string for zh in term["zh"]
                ):
                    problems.append(
                        f"{path.relative_to(folder)}: {term['en']!r} is not "
                        f"{'/'.join(term['zh'])} in {message.string[:60]!r}"
                    )
    return problems


def kept_markup(text: str) -> list[str]:
    """What a translation must copy exactly: code, math, link targets, role names and targets."""
    kept = CODE.findall(ROLE.sub(" ", text)) + MATH.findall(text) + LINK_TARGET.findall(text)
    kept += [f"{name}:{target.strip()}" for name, target in ROLE_TARGET.findall(text)]
    # A role that shows its own text (glue, cite, math) is copied whole.
    kept += [m for m in ROLE.findall(text) if m[1 : m.index("}")] not in TEXT_ROLES]
    return sorted(kept)


def broken_markup(folder: Path = translations.CATALOGS) -> list[str]:
    problems = []
    for path in sorted(folder.rglob("*.po")):
        for message in messages(path):
            if message.string and kept_markup(message.id) != kept_markup(message.string):
                lost = set(kept_markup(message.id)) ^ set(kept_markup(message.string))
                problems.append(f"{path.relative_to(folder)}: markup differs {sorted(lost)[:3]}")
    return problems


# 卷积核 (为) and a number that is not the first side of a 2-D size (卷积核为 3 × 3 is fine).
NUMBERED_KERNEL = re.compile(r"卷积核为?\s*[0-9]+(?![0-9])(?!\s*[×x])")


def numbered_kernels(folder: Path = translations.CATALOGS) -> list[str]:
    """Translations that write a kernel size as "卷积核 3" (read as "kernel no. 3")."""
    problems = []
    for path in sorted(folder.rglob("*.po")):
        for message in messages(path):
            if not message.string:
                continue
            for match in NUMBERED_KERNEL.finditer(prose(message.string)):
                problems.append(
                    f"{path.relative_to(folder)}: {match.group(0)!r} reads as a kernel's number, "
                    f"write 大小为 N 的卷积核 or 卷积核大小为 N in {message.string[:60]!r}"
                )
    return problems


def catalog_problems(scratch: Path) -> list[str]:
    return (
        stale_catalogs(scratch)
        + incomplete_messages()
        + term_mismatches()
        + broken_markup()
        + numbered_kernels()
    )
