"""Canonical text form shared by every input format (safeguard K1).

The same learning document arrives as plain text, PDF, Word or HTML, and the
learning library must hold the *same* record whichever was uploaded.  So all
formats are reduced to one canonical form before any structure is read:

* a list of :class:`Unit` objects, one per logical line (paragraph, heading,
  list item or table row);
* blank lines carry no meaning (Word and HTML have none, PDFs have them only
  where spacing suggests it), so they are dropped;
* a line that starts with a lower-case letter continues the previous one: the
  shared documents were converted from PDFs and split sentences across
  paragraphs ("...she wanted to withdraw" / "her statement"), and PDF page
  breaks do the same;
* ligatures, non-breaking spaces, soft hyphens, bullet glyphs and the light
  Markdown used by the shared text files (``[label](#)``, ``*emphasis*``,
  ``<https://...>``) are reduced to plain text;
* protective-marking lines ("OFFICIAL") are page furniture, not content.

Small helpers that several kind parsers need (heading and link detection,
splitting lists) live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000"), " ")
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_LINE_BREAKS = dict.fromkeys(map(ord, "\u2028\u2029\x0b\x0c\x85"), "\n")

_BULLET_RE = re.compile(r"^(?:[-•●▪■◦‣∙○*+]|(?P<num>\d{1,3})[.)])[ \t]+(?P<body>\S.*)$")
_MD_LINK_RE = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
_MD_AUTOLINK_RE = re.compile(r"<((?:https?://|www\.)[^>\s]+)>")
# Emphasis spans are bounded and cannot contain "*", so a long line full of
# asterisks cannot make the pattern backtrack quadratically.
_MD_STRONG_RE = re.compile(r"\*\*(?=\S)([^*\n]{1,300}?)(?<=\S)\*\*")
_MD_EM_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,300}?)(?<=\S)\*(?![\w*])")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_PROTECTIVE_MARKING_RE = re.compile(r"^(?:OFFICIAL(?:\s*[-–]?\s*SENSITIVE)?|NOT PROTECTIVELY MARKED)$")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+")
_TERMINAL_PUNCTUATION = (".", "!", "?", ";", ",", "…")


@dataclass(frozen=True)
class Unit:
    """One logical line of a document.

    ``bullet`` is True for list items (the marker is removed from ``text``);
    ``number`` keeps the number of a numbered item ("2. ...") because a
    numbered line can also be a case heading ("2. Response to welfare
    concerns").  Table rows keep their cells separated by tab characters.
    """

    text: str
    bullet: bool = False
    number: int | None = None


def clean_unicode(text: str) -> str:
    """Reduce typographic variants that differ between formats to one form."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_LINE_BREAKS).translate(_SPACE_LIKE).translate(_INVISIBLE).translate(_HYPHENS)
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    return text


def strip_inline_markup(text: str) -> str:
    """Remove the light Markdown that appears in the shared text files.

    Link targets are dropped because Word, HTML and PDF renderings of the same
    document do not carry them as text; keeping them only for .txt would make
    the formats disagree.
    """
    text = _MD_LINK_RE.sub(lambda m: m.group(1), text)
    text = _MD_AUTOLINK_RE.sub(lambda m: m.group(1), text)
    text = _MD_STRONG_RE.sub(lambda m: m.group(1), text)
    text = _MD_EM_RE.sub(lambda m: m.group(1), text)
    return text


def _tidy_whitespace(line: str) -> str:
    """Collapse runs of spaces; keep tab-separated cells as single tabs."""
    line = re.sub(r"[ ]*\t[ \t]*", "\t", line)
    line = re.sub(r" {2,}", " ", line)
    return line.strip(" \t")


def _make_unit(line: str) -> Unit:
    """Build a unit from one cleaned line, recognising list markers."""
    line = _MD_HEADING_RE.sub("", line)
    match = _BULLET_RE.match(line)
    if match:
        number = int(match.group("num")) if match.group("num") else None
        body = _tidy_whitespace(strip_inline_markup(match.group("body")))
        return Unit(body, bullet=True, number=number)
    return Unit(_tidy_whitespace(strip_inline_markup(line)))


def _continues(previous_text: str, unit: Unit) -> bool:
    """True if ``unit`` is the rest of a sentence split off the previous unit."""
    if unit.bullet or not unit.text[:1].islower():
        return False
    return not previous_text.endswith(":")


def to_units(text: str) -> list[Unit]:
    """Turn document text (from any format) into canonical units.

    Continuation pieces are collected in a list and joined once, so a
    pathological file of thousands of continuation lines stays linear.
    """
    units: list[Unit] = []
    current: Unit | None = None
    pieces: list[str] = []
    for raw_line in clean_unicode(text).split("\n"):
        line = _tidy_whitespace(raw_line)
        if not line:
            continue
        unit = _make_unit(line)
        if not unit.text or _PROTECTIVE_MARKING_RE.match(unit.text):
            continue
        if current is not None and _continues(pieces[-1], unit):
            glue = "" if pieces[-1].endswith("-") else " "
            pieces.append(glue + unit.text)
            continue
        if current is not None:
            units.append(replace(current, text="".join(pieces)))
        current, pieces = unit, [unit.text]
    if current is not None:
        units.append(replace(current, text="".join(pieces)))
    return units


def render(units: Sequence[Unit]) -> str:
    """Render units back to readable text for narrative-style fields.

    A bullet is shown as "- item" only when it is part of a list (after a
    line ending in ":" or next to another bullet).  A lone "numbered" line is
    almost always a Word numbering artefact ("2. The force control room has
    written...") and reads better as a plain paragraph.
    """
    pieces: list[str] = []
    for index, unit in enumerate(units):
        before = units[index - 1] if index > 0 else None
        after = units[index + 1] if index + 1 < len(units) else None
        is_item = unit.bullet and (
            (before is not None and (before.bullet or before.text.endswith(":")))
            or (after is not None and after.bullet)
        )
        text = f"- {unit.text}" if is_item else unit.text
        if pieces:
            pieces.append("\n" if is_item else "\n\n")
        pieces.append(text)
    return "".join(pieces)


def strip_colon(text: str) -> str:
    """Heading text without a trailing colon or surrounding space."""
    return text.strip().rstrip(":").strip()


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def ends_sentence(text: str) -> bool:
    """True if the text ends like a sentence rather than a heading."""
    return text.rstrip().endswith(_TERMINAL_PUNCTUATION)


def looks_like_heading(unit: Unit, max_words: int = 12) -> bool:
    """A short line without sentence punctuation, starting with a capital."""
    text = unit.text
    if unit.bullet or "\t" in text or not text:
        return False
    if word_count(text) > max_words or ends_sentence(text):
        return False
    return text[0].isupper() or text[0].isdigit()


def title_like(text: str, max_words: int = 16) -> bool:
    """Could this text be the title of a case or document?"""
    text = text.strip()
    if not text or word_count(text) > max_words or ends_sentence(text) or text.endswith(":"):
        return False
    if re.fullmatch(r"\d+(?:\s*(?:,|&|and)\s*\d+)*", text):
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] in "'\"‘“"


_LINK_RE = re.compile(
    r"^(?:click\s+here\b"
    r"|(?:read|view|download)\b.{0,80}?\b(?:online|website|here|report|guidance)\b"
    r"|find\s+out\s+more\b"
    r"|more\s+information\s*:?\s*(?:https?://|www\.)"
    r"|(?:https?://|www\.)\S+$)",
    re.IGNORECASE,
)
_TRAILING_ARROWS_RE = re.compile(r"[\s↗→»›]+$")


def is_link(unit: Unit) -> bool:
    """Is this unit a link prompt rather than content?

    Only the words are used (not Markdown or HTML link markup) so that a PDF,
    which carries no markup, gives the same answer as the text file.
    """
    return not unit.bullet and word_count(unit.text) <= 30 and bool(_LINK_RE.match(unit.text))


def link_text(unit: Unit) -> str:
    """Text of a link prompt without decorative arrows."""
    return _TRAILING_ARROWS_RE.sub("", unit.text)


def find_urls(units: Sequence[Unit]) -> list[str]:
    """Web addresses mentioned anywhere, in order of first appearance."""
    found: list[str] = []
    for unit in units:
        for match in _URL_RE.finditer(unit.text):
            url = match.group(0).rstrip(".,;:")
            if url not in found:
                found.append(url)
    return found


def split_cells(text: str) -> list[str]:
    """Split a table row or separated list into its non-empty parts."""
    return [part.strip() for part in re.split(r"[\t;|,·]", text) if part.strip()]


def split_sentence_case_run(text: str) -> list[str]:
    """Split "Domestic abuse Welfare and vulnerable people" into its themes.

    Web pages show themes as separate tags; copied as text they run together.
    Themes are written in sentence case, so a capitalised word straight after
    a lower-case word starts a new theme.  Separators, when present, win.
    """
    if re.search(r"[\t;|,·]", text):
        return split_cells(text)
    themes: list[list[str]] = []
    for word in text.split():
        starts_new = not themes or (word[:1].isupper() and themes[-1][-1][:1].islower())
        if starts_new:
            themes.append([word])
        else:
            themes[-1].append(word)
    return [" ".join(words) for words in themes]


def parse_number_list(text: str) -> list[int]:
    """Numbers in "2, 8", "2 and 3" or "3, 4 & 5"."""
    return [int(number) for number in re.findall(r"\d+", text)]


def unique(items: Sequence[str]) -> list[str]:
    """Items without repeats, first occurrence kept."""
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
