"""Page furniture: what is printed on every page but is not part of the document (safeguard K1).

A learning document copied out of a PDF, saved from a web page or printed to Word carries lines that a
reader skips without thinking: running headers and footers ("Learning the Lessons | Issue 45"),
page numbers ("Page 2 of 5"), copyright lines ("© IOPC 2024"), "Continued overleaf", and link
boilerplate ("Read more online:"). Left in, they end up inside fields: a footer spliced into the middle
of a sentence, a masthead after a theme, a "read more" line taken as a link. They are recognised two
ways, the same for every format:

* by shape, wherever they are: page numbers, copyright lines, a line ending in "Page N of M",
  "continued" markers, "read more" prompts (a web address after one is kept, as a link);
* by repetition: a short line at the edge of a page (just after or before a page boundary: a form feed,
  or a page-number line, which is where a copied PDF's pages meet) that recurs at the edges of at least
  half of the pages (digits ignored, so "Issue 45 - page 3" matches "Issue 45 - page 4").

The first occurrence of a repeated line that names the document (its issue, case or reference number,
or a date) is kept, because a masthead is often the only place the document says what it is.

Lines are removed here, before any structure is read; `text.to_units` then joins a sentence that a
page boundary broke.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

_PAGE = r"page\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
_PAGE_LINE_RE = re.compile(rf"^(?:{_PAGE}|\d{{1,4}}\s*(?:of|/)\s*\d{{1,4}}|[-–—]\s*\d{{1,4}}\s*[-–—])$", re.I)
_ENDS_WITH_PAGE_RE = re.compile(rf"(?:^|[\s|·•,;–—-])\s*{_PAGE}$", re.I)
_COPYRIGHT_RE = re.compile(r"©|^\(c\)\s|^copyright\b|\ball\s+rights\s+reserved\b|^crown\s+copyright\b", re.I)
_CONTINUED_RE = re.compile(
    r"^(?:\(?continued\s+(?:overleaf|on\s+(?:the\s+)?next\s+page|from\s+(?:the\s+)?previous\s+page)\)?"
    r"|\(?cont(?:inued|'d|\.)\)?|please\s+turn\s+over|p\.?\s*t\.?\s*o\.?)\.?$",
    re.I,
)
_READ_MORE_RE = re.compile(
    r"^(?:read|see)\s+more(?:\s+(?:online|here|at|on\s+(?:our|the)\s+website))?\s*[:.]?\s*"
    r"(?P<url>(?:https?://|www\.)\S+)?$",
    re.I,
)
_NAMES_DOCUMENT_RE = re.compile(
    r"\b(?:issue|bulletin|case|ref(?:erence)?)\b\s*(?:no\.?\s*)?:?\s*\d"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b",
    re.I,
)
_MAX_LABEL_WORDS = 4  # "Local recommendation 2" is a label; "Case 3 Issue 52 - Custody" a running header
_EDGE_LINES = 2  # at the top of a page (a running header can be two lines); one at the foot
_LABEL_RE = re.compile(r"^(?:(?:local|national|key)\s+)?(?:recommendation|finding|case|question|response)s?\b", re.I)
_MAX_FURNITURE_WORDS = 15
_MAX_SHAPE_WORDS = 25


@dataclass(frozen=True)
class SourceLine:
    """One non-blank line of text as read: its page (None when the format has no pages), its line
    number in the text, and whether a page boundary comes just before it."""

    text: str
    page: int | None
    number: int
    after_page_break: bool = False


def _words(text: str) -> int:
    return len(text.split())


def is_page_marker(text: str) -> bool:
    """A page number line, or a footer that ends with one ("© IOPC 2024 | Page 1 of 5")."""
    text = text.strip()
    if _PAGE_LINE_RE.match(text):
        return True
    return _words(text) <= _MAX_FURNITURE_WORDS and bool(_ENDS_WITH_PAGE_RE.search(text))


def furniture_shape(text: str) -> bool:
    """Is this line page furniture by its shape alone (wherever it stands)?"""
    text = text.strip()
    if is_page_marker(text) or _CONTINUED_RE.match(text):
        return True
    if _words(text) <= _MAX_SHAPE_WORDS and _COPYRIGHT_RE.search(text):
        return True
    read_more = _READ_MORE_RE.match(text)
    return bool(read_more and not read_more["url"])


def _key(text: str) -> str:
    """Lines compared ignoring case and spacing (a running line whose page number changes is already
    furniture by its shape)."""
    return " ".join(text.lower().replace("\t", " ").split())


def _repeatable(text: str) -> bool:
    """Could this line be a running header or footer? Short, not a list item or a section label."""
    stripped = text.strip()
    return (
        0 < _words(stripped) <= _MAX_FURNITURE_WORDS
        and not stripped.endswith((":", "?"))
        and not stripped.startswith(("-", "•"))
        and not (_LABEL_RE.match(stripped) and _words(stripped) <= _MAX_LABEL_WORDS)
    )


def _segments(lines: list[SourceLine], shaped: list[bool]) -> list[list[int]]:
    """Indexes of the content lines of each page. A page ends at a form feed or a page-number line."""
    segments: list[list[int]] = [[]]
    for index, line in enumerate(lines):
        if line.after_page_break and segments[-1]:
            segments.append([])
        if shaped[index]:
            if is_page_marker(line.text) and segments[-1]:
                segments.append([])
            continue
        segments[-1].append(index)
    return [segment for segment in segments if segment]


def _running_lines(lines: list[SourceLine], segments: list[list[int]]) -> set[int]:
    """Indexes of lines that repeat at the same edge (top or bottom) of at least half of the pages and
    never stand anywhere else: a heading that happens to fall at the foot of two pages is not furniture."""
    if len(segments) < 2:
        return set()
    needed = max(2, math.ceil(len(segments) / 2))
    edge_of: dict[int, str] = {}
    for segment in segments:
        for index in segment[:_EDGE_LINES]:
            edge_of.setdefault(index, "top")
        for index in segment[-1:]:
            edge_of.setdefault(index, "bottom")
    everywhere = Counter(_key(line.text) for line in lines)
    at_edges = Counter(_key(lines[index].text) for index in edge_of if _repeatable(lines[index].text))
    running = {key for key, count in at_edges.items() if count >= needed and count == everywhere[key]}
    found = {index for index in edge_of if _key(lines[index].text) in running}
    first = segments[0][0]
    if first in found and _NAMES_DOCUMENT_RE.search(lines[first].text):
        # A masthead repeated as the running header: keep it once when nothing else near the top of the
        # document says what it is (its issue, case or reference number).
        rest = [i for i in range(len(lines)) if i not in found][:40]
        if not any(_NAMES_DOCUMENT_RE.search(lines[i].text) and not _date_only(lines[i].text) for i in rest):
            found.discard(first)
    return found


def names_document(text: str) -> bool:
    """Does this line say which document it is (an issue, bulletin, case or reference number)?"""
    return bool(_NAMES_DOCUMENT_RE.search(text)) and not _date_only(text)


def _date_only(text: str) -> bool:
    return not re.search(r"\b(?:issue|bulletin|case|ref(?:erence)?)\b", text, re.I)


_PASSES = 3


def _view(lines: list[SourceLine], alive: list[int]) -> list[SourceLine]:
    """The lines still in, each marked as following a page break if a removed line before it was."""
    view = []
    previous = -1
    for index in alive:
        line = lines[index]
        if any(lines[i].after_page_break for i in range(previous + 1, index)):
            line = replace(line, after_page_break=True)
        view.append(line)
        previous = index
    return view


def remove_furniture(lines: list[SourceLine]) -> list[SourceLine]:
    """The lines without page furniture. A line after removed furniture is marked as following a page
    break, so a sentence the page broke can be joined again.

    Repetition is looked for again once lines are removed, because furniture comes in layers (a
    protective marking above a running title above a masthead): each pass uncovers the next."""
    shaped = [furniture_shape(line.text) for line in lines]
    removed: set[int] = set()
    for _ in range(_PASSES):
        alive = [i for i in range(len(lines)) if i not in removed]
        view = _view(lines, alive)
        segments = _segments(view, [shaped[i] for i in alive])
        found = {alive[i] for i in _running_lines(view, segments)}
        if not found:
            break
        removed |= found
    kept: list[SourceLine] = []
    pending = False
    for index, line in enumerate(lines):
        if shaped[index] or index in removed:
            pending = pending or is_page_marker(line.text) or index in removed or line.after_page_break
            continue
        read_more = _READ_MORE_RE.match(line.text.strip())
        if read_more and read_more["url"]:
            line = replace(line, text=read_more["url"])
        if pending or line.after_page_break:
            line = replace(line, after_page_break=True)
        kept.append(line)
        pending = False
    return kept
