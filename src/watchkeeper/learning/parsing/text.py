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
* protective-marking lines ("OFFICIAL") and the other page furniture
  (``furniture.py``: running headers and footers, page numbers, copyright
  lines, "read more" boilerplate) are not content; a sentence broken across
  a page boundary is joined again;
* every unit remembers where it starts (page, when the format has pages, and
  line of the text read), so each field of a record can be traced back.

Small helpers that several kind parsers need (heading and link detection,
splitting lists) live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .furniture import SourceLine, remove_furniture

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
# A form feed is a page break: it is kept (``to_units`` counts pages by it) and never content.
_LINE_BREAKS = dict.fromkeys(map(ord, "\u2028\u2029\x0b\x85"), "\n")
PAGE_BREAK = "\x0c"

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
_URL_START_RE = re.compile(r"^(?:https?://|www\.)\S+$")
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
    page: int | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)


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
    line = line.replace(PAGE_BREAK, "")
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


_PAGE_JOIN_MIN_WORDS = 8


def _continues(previous_text: str, unit: Unit, after_page_break: bool = False) -> bool:
    """True if ``unit`` is the rest of a sentence split off the previous unit.

    Across a page boundary a sentence can also go on with a capital ("...was
    seen by" / page footer / "Ms A's neighbour"): a long line that ends without
    punctuation is not a heading, so what follows the page break continues it.
    """
    if unit.bullet or previous_text.endswith(":") or _URL_START_RE.match(unit.text):
        return False
    if unit.text[:1].islower():
        return True
    return (
        after_page_break
        and not previous_text.endswith((".", "!", "?", ":", "…", '"', "”", ")"))
        and word_count(previous_text) >= _PAGE_JOIN_MIN_WORDS
        and "\t" not in previous_text
        and not _LINK_RE.match(previous_text)
        and not looks_like_heading(unit)
    )


def source_lines(text: str) -> list[SourceLine]:
    """The non-blank lines of document text with their page (counted by form feeds, None when the text
    has none) and line number (1-based, in the text as read)."""
    text = clean_unicode(text)
    paged = PAGE_BREAK in text
    page = 1
    lines: list[SourceLine] = []
    pending_break = False
    for number, raw_line in enumerate(text.split("\n"), start=1):
        breaks = raw_line.count(PAGE_BREAK)
        if breaks:
            page += breaks
            pending_break = True
        tidy = _tidy_whitespace(strip_inline_markup(raw_line))
        if not tidy:
            continue
        lines.append(SourceLine(tidy, page if paged else None, number, pending_break))
        pending_break = False
    return lines


def to_units(text: str) -> list[Unit]:
    """Turn document text (from any format) into canonical units.

    Continuation pieces are collected in a list and joined once, so a
    pathological file of thousands of continuation lines stays linear.
    """
    units: list[Unit] = []
    current: Unit | None = None
    pieces: list[str] = []
    for source in remove_furniture(source_lines(text)):
        unit = replace(_make_unit(source.text), page=source.page, line=source.number)
        if not unit.text or _PROTECTIVE_MARKING_RE.match(unit.text):
            continue
        if current is not None and _continues(pieces[-1], unit, source.after_page_break):
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


_THEME_LINE_RE = re.compile(r"^themes?\s*[:–—]\s*(?P<themes>\S.*)$", re.I)
_THEME_IN_HEADER_RE = re.compile(r"(?:^|[|·•\t]\s*)themes?\s*:\s*(?P<themes>[^|·•\t]*[^|·•\t\s])", re.I)
_MAX_THEME_LINE = 200


def labelled_themes(unit: Unit) -> list[str] | None:
    """The themes a "Theme: Missing persons" / "Themes: Custody; Search" line names, or one labelled in a
    header ("Bulletin 12 | Theme: Custody"); None when the unit is not such a line."""
    if unit.bullet or len(unit.text) > _MAX_THEME_LINE:
        return None
    if match := _THEME_LINE_RE.match(unit.text):
        return split_cells(match["themes"]) or None
    if match := _THEME_IN_HEADER_RE.search(unit.text):
        return [match["themes"].strip()]
    return None


KNOWN_THEMES = (
    "Abuse of position", "Call handling", "Children and young people", "Criminal investigation", "Custody",
    "Death or serious injury", "Detention", "Discrimination", "Domestic abuse", "Firearms",
    "Information management", "Investigation", "Mental health", "Missing persons", "Neighbourhood policing",
    "Personal safety", "Professional standards", "Public order", "Public protection", "Roads policing",
    "Search", "Sexual offences", "Stalking and harassment", "Stop and search", "Use of force",
    "Vulnerable adults", "Welfare and vulnerable people",
)  # fmt: skip
"""Theme tags the publishers use, so a run of tags copied from a web page splits where a reader would."""
_KNOWN_THEME_WORDS = sorted((theme.lower().split() for theme in KNOWN_THEMES), key=len, reverse=True)


def split_sentence_case_run(text: str) -> list[str]:
    """Split "Domestic abuse Welfare and vulnerable people" into its themes.

    Web pages show themes as separate tags; copied as text they run together.
    A known tag (``KNOWN_THEMES``) is taken whole where it starts; otherwise
    themes are written in sentence case, so a capitalised word straight after
    a lower-case word starts a new theme.  Separators, when present, win.
    """
    if re.search(r"[\t;|,·]", text):
        return split_cells(text)
    words = text.split()
    themes: list[list[str]] = []
    index = 0
    closed = False
    while index < len(words):
        lowered = [word.lower() for word in words[index:]]
        known = next((tag for tag in _KNOWN_THEME_WORDS if lowered[: len(tag)] == tag), None)
        if known:
            themes.append(words[index : index + len(known)])
            index += len(known)
            closed = True
            continue
        word = words[index]
        starts_new = not themes or closed or (word[:1].isupper() and themes[-1][-1][:1].islower())
        if starts_new:
            themes.append([word])
        else:
            themes[-1].append(word)
        closed = False
        index += 1
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
