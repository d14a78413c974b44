"""A small reader of MyST Markdown pages: fenced directives, code cells, headings, labels.

Enough of MyST for the page conventions (tools.page_conventions)
to check a chapter's source line by line; not a full MyST parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

# Backtick fences whose body is code or data, never nested MyST.
LITERAL_DIRECTIVES = {"code-cell", "code-block", "code", "sourcecode", "math", "raw", "eval-rst"}


OPEN_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\s*(?:\{(?P<name>[\w:-]+)\})?\s*(?P<arg>.*)$"
)
HEADING_LINE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
LIST_ITEM_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
LABEL_LINE = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*$")


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line of the page source
    message: str


@dataclass
class Block:
    """A fenced block: a directive (`:::{name} arg` or ```{name} arg```) or a code fence."""

    name: str
    arg: str
    start: int  # 1-based line of the opening fence
    fence: str
    parent: Block | None = None
    end: int = 0  # 1-based line of the closing fence (the last line if never closed)
    body: list[str] = field(default_factory=list)

    @property
    def literal(self) -> bool:
        return self.fence.startswith("`") and (not self.name or self.name in LITERAL_DIRECTIVES)

    def inside(self, other: Block) -> bool:
        parent = self.parent
        while parent is not None:
            if parent is other:
                return True
            parent = parent.parent
        return False


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int


@dataclass
class Page:
    lines: list[str]
    blocks: list[Block]
    headings: list[Heading]  # headings outside every block
    labels: list[str]


def parse_page(text: str) -> Page:
    """Read MyST Markdown into its fenced blocks (in opening order) and top-level headings."""
    lines = text.splitlines()
    blocks: list[Block] = []
    headings: list[Heading] = []
    labels: list[str] = []
    stack: list[Block] = []
    start = _front_matter_end(lines)
    for number, line in enumerate(lines[start:], start=start + 1):
        top = stack[-1] if stack else None
        if top is not None and top.literal:
            if _closes(line, top):
                top.end = number
                stack.pop()
            else:
                top.body.append(line)
            continue
        if top is not None and _closes(line, top):
            top.end = number
            stack.pop()
            continue
        opening = OPEN_LINE.match(line)
        if opening and not (opening["fence"].startswith(":") and not opening["name"]):
            block = Block(
                name=opening["name"] or "",
                arg=opening["arg"].strip(),
                start=number,
                fence=opening["fence"],
                parent=top,
            )
            blocks.append(block)
            stack.append(block)
            continue
        if top is not None:
            top.body.append(line)
            continue
        heading = HEADING_LINE.match(line)
        if heading:
            headings.append(Heading(len(heading["hashes"]), heading["title"], number))
        label = LABEL_LINE.match(line.strip())
        if label:
            labels.append(label["label"])
    for block in stack:
        block.end = len(lines)
    return Page(lines, blocks, headings, labels)


def _front_matter_end(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for index, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                return index + 1
    return 0


def _closes(line: str, block: Block) -> bool:
    stripped = line.strip()
    char = block.fence[0]
    return bool(stripped) and set(stripped) == {char} and len(stripped) >= len(block.fence)


def cell_options(block: Block) -> tuple[dict, list[str]]:
    """A code cell's options (`:key: value` lines or a `---` YAML header) and its code lines."""
    body = list(block.body)
    options: dict = {}
    if body and body[0].strip() == "---":
        closing = next((i for i, line in enumerate(body[1:], 1) if line.strip() == "---"), None)
        if closing is not None:
            options = yaml.safe_load("\n".join(body[1:closing])) or {}
            body = body[closing + 1 :]
    else:
        while body and re.match(r"^:[\w-]+:", body[0].strip()):
            key, _, value = body.pop(0).strip()[1:].partition(":")
            options[key] = yaml.safe_load(value) if value.strip() else None
    while body and not body[-1].strip():
        body.pop()
    return options, body
