"""Multi-case "Learning the Lessons" bulletins (safeguard K1).

A bulletin has front matter (issue number, month, theme, an "Issues covered"
contents list, a theme index and usually a foreword) followed by numbered
case summaries.  Each case has a narrative and then up to four lists: key
questions for policy makers/managers, key questions for officers/staff,
action taken by the force and outcomes for the officers/staff.

A numbered line only counts as a case heading when a recognised section
follows it (or when it continues the numbering after a "Case summaries"
heading).  That keeps theme-index entries such as "Case" / "1" and contents
lines such as "Closing calls3" from being mistaken for cases.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .dates import FoundDate, find_date_or_month, is_only_a_date, labelled_dates
from .headings import SECTION_LABELS, section_key
from .models import ParsedCase, ParsedDocument
from .text import (
    Unit,
    ends_sentence,
    find_urls,
    is_link,
    labelled_themes,
    link_text,
    looks_like_heading,
    parse_number_list,
    render,
    strip_colon,
    title_like,
    unique,
    word_count,
)

_ISSUE_RE = re.compile(
    r"^(?:learning\s+the\s+lessons\s*[-–—:|,]?\s*)?(?:bulletin|issue)\s*(?:no\.?\s*|number\s*)?"
    r"(?P<issue>\d{1,4})\b(?P<rest>.*)$",
    re.I,
)
_CASE_SUMMARIES_RE = re.compile(r"^case\s+(?:summaries|studies)$", re.I)
_FOREWORD_RE = re.compile(r"^(?:foreword|introduction|preface)$", re.I)
_CONTENTS_RE = re.compile(
    r"^(?:issues\s+covered(?:\s+in\s+this\s+(?:bulletin|issue))?|in\s+this\s+(?:bulletin|issue)|contents):?$",
    re.I,
)
_CASE_HEADING_RE = re.compile(r"^(?:case(?:\s+study)?\s+)?(?P<number>\d{1,2})\s*[.:)–—-]?\s+(?P<title>.+)$", re.I)
_CASE_NUMBER_ONLY_RE = re.compile(r"^(?:case(?:\s+study)?\s+)?(?P<number>\d{1,2})[.:]?$", re.I)
_REFS = r"\d+(?:\s*(?:,|&|and)\s*\d+)*"
_CASES_WORD_RE = re.compile(rf"^cases?\s*:?\s*(?P<refs>{_REFS})?$", re.I)
_REF_LIST_RE = re.compile(rf"^{_REFS}$")
_THEME_ONE_LINE_RE = re.compile(rf"^(?P<label>[^\t:]+?)\s*(?:\t|:|–|—)\s*cases?\s*:?\s*(?P<refs>{_REFS})$", re.I)
_CONTENTS_ITEM_RE = re.compile(r"^(?P<label>.*?[A-Za-z)])[\s.…]*(?P<refs>\d+(?:\s*,\s*\d+)*)$")
_SIGNATURE_MAX_WORDS = 6
_MAX_CONTENTS_LINE = 200  # contents lines are short; the pattern backtracks on long ones
_BACK_MATTER_RE = re.compile(
    r"^(?:contact(?:ing)?\s+us|get\s+in\s+touch|related\s+reading|further\s+(?:reading|information)"
    r"|useful\s+(?:links|resources)|(?:join\s+our\s+)?mailing\s+list)$",
    re.I,
)  # what a bulletin prints after its last case, for the reader, not part of the case
_LEADER_RE = re.compile(r"(?:\.\s*){2,}|…")  # the dots that lead a contents entry to its page number
_SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"}
_MASTHEAD_LOOKBACK = 3
_MASTHEAD_MAX_WORDS = 6


@dataclass(frozen=True)
class _Heading:
    """A possible case heading: where it is, its number and title, where the case text starts."""

    index: int
    number: int
    title: str
    body: int


@dataclass(frozen=True)
class _CaseSpan:
    """Where one accepted case sits in the unit list (body up to, not including, end)."""

    heading: _Heading
    end: int


def _is_case_title(unit: Unit, numbered: bool = False) -> bool:
    """A case title line: title-like and not one of the section headings."""
    return (numbered or not unit.bullet) and title_like(unit.text) and section_key(unit) is None


def _case_heading(units: list[Unit], index: int) -> _Heading | None:
    """The case heading starting at ``index``, if there is one."""
    unit = units[index]
    if unit.bullet:
        if unit.number is not None and _is_case_title(unit, numbered=True):
            return _Heading(index, unit.number, unit.text, index + 1)
        return None
    number_only = _CASE_NUMBER_ONLY_RE.match(unit.text)
    if number_only:
        following = units[index + 1] if index + 1 < len(units) else None
        if following and _is_case_title(following):
            return _Heading(index, int(number_only["number"]), following.text, index + 2)
        return None
    match = _CASE_HEADING_RE.match(unit.text)
    if match and title_like(match["title"]) and not is_only_a_date(unit.text):
        return _Heading(index, int(match["number"]), match["title"], index + 1)
    return None


def _validation_ends(candidates: list[_Heading], total: int) -> list[int]:
    """For each candidate, where the next higher-numbered candidate starts (or the end).

    Worked out in one backward pass so that a long document full of numbered
    lines stays linear rather than rescanning to the end for every line.
    """
    nearest_by_number: dict[int, int] = {}
    ends = [total] * len(candidates)
    for position in range(len(candidates) - 1, -1, -1):
        heading = candidates[position]
        later = [index for number, index in nearest_by_number.items() if number > heading.number]
        ends[position] = min(later, default=total)
        nearest_by_number[heading.number] = heading.index
    return ends


def _find_cases(units: list[Unit]) -> list[_CaseSpan]:
    """Locate the case summaries (see the module docstring for the rules)."""
    marker = next((i for i, unit in enumerate(units) if _CASE_SUMMARIES_RE.match(unit.text)), None)
    start = marker + 1 if marker is not None else 0
    candidates = [heading for i in range(start, len(units)) if (heading := _case_heading(units, i))]
    section_positions = [i for i, unit in enumerate(units) if section_key(unit)]
    accepted: list[_Heading] = []
    for heading, end in zip(candidates, _validation_ends(candidates, len(units)), strict=True):
        previous = accepted[-1] if accepted else None
        if previous and (heading.number <= previous.number or heading.index < previous.body):
            continue
        expected = previous.number + 1 if previous else 1
        continues_numbering = marker is not None and heading.number == expected
        first_section = bisect.bisect_left(section_positions, heading.body)
        has_section = first_section < len(section_positions) and section_positions[first_section] < end
        if continues_numbering or has_section:
            accepted.append(heading)
    ends = [heading.index for heading in accepted[1:]] + [len(units)]
    return [_CaseSpan(heading, end) for heading, end in zip(accepted, ends, strict=False)]


def _header(front: list[Unit]) -> tuple[int | None, FoundDate | None, str]:
    """Issue number, (date, wording) and title from the masthead.

    A running header ("Learning the Lessons | Bulletin 61") can stand above the masthead proper, so the
    issue line that comes with the most of a date and a title is the masthead (the first, on a tie)."""
    best: tuple[int | None, FoundDate | None, str] | None = None
    best_at: tuple[int, re.Match] | None = None
    for index, unit in enumerate(front):
        match = _ISSUE_RE.match(unit.text)
        if unit.bullet or not match:
            continue
        found_header = _header_at(front, index, match)
        if best is None or _filled(found_header) > _filled(best):
            best, best_at = found_header, (index, match)
    if best is None or best_at is None:
        return None, None, ""
    return best[0], best[1], best[2] or _masthead_title(front, *best_at)


def _filled(header: tuple[int | None, FoundDate | None, str]) -> int:
    return int(header[1] is not None) + int(bool(header[2]))


def _header_at(front: list[Unit], index: int, match: re.Match) -> tuple[int | None, FoundDate | None, str]:
    """The masthead read from the issue line at ``index``.

    The title is what the masthead prints under the issue and its date ("Control room practice"); a
    labelled line ("Published March 2025", "Theme: Custody") is not a title. A bulletin that prints no
    title of its own is called by its name and number ("Learning the Lessons Bulletin 47")."""
    rest = match["rest"]
    found = find_date_or_month(rest)
    if found:
        rest = rest.replace(found[1], " ")
    theme = _masthead_theme(rest)
    following = front[index + 1 : index + 5]
    if not found:
        date_position = next((i for i, u in enumerate(following) if _is_date_line(u)), None)
        if date_position is not None:
            found = find_date_or_month(following[date_position].text)
            following = following[date_position + 1 :]
    following = [unit for unit in following if labelled_themes(unit) is None and not _is_date_line(unit)]
    if not theme and following and _is_theme_line(following[0]):
        theme = following[0].text
    return int(match["issue"]), found, theme


def _is_date_line(unit: Unit) -> bool:
    """A line that is a date, alone or labelled ("March 2025", "Published March 2025")."""
    if unit.bullet:
        return False
    if is_only_a_date(unit.text):
        return True
    dated = labelled_dates([unit.text])
    return len(dated) == 1 and dated[0]["label"] == "published" and word_count(unit.text) <= 6


def _masthead_title(front: list[Unit], index: int, match: re.Match) -> str:
    """ "Learning the Lessons Bulletin 47": the publication's name (on the issue line or just above it)
    and the issue as the masthead words it."""
    numbered = re.sub(r"\s*[|–—:,]\s*", " ", match.string[: len(match.string) - len(match["rest"])]).strip(" -")
    if re.match(r"learning\s+the\s+lessons", numbered, re.I):
        return _title_case(numbered)
    above = front[max(0, index - _MASTHEAD_LOOKBACK) : index]
    name = next(
        (
            unit.text
            for unit in reversed(above)
            if not unit.bullet
            and title_like(unit.text, max_words=_MASTHEAD_MAX_WORDS)
            and not re.search(r"[:?!|]|\d", unit.text)
            and not is_link(unit)
            and not _CONTENTS_RE.match(unit.text)
        ),
        "",
    )
    return " ".join(part for part in (_title_case(name), _title_case(numbered)) if part)


def _title_case(text: str) -> str:
    """A name printed in capitals ("LEARNING THE LESSONS") as it is written ("Learning the Lessons")."""
    if not text.isupper():
        return text
    words = text.lower().split()
    return " ".join(
        word if position and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for position, word in enumerate(words)
    )


def _masthead_theme(rest: str) -> str:
    """Theme left on a one-line masthead once the issue and date are removed.

    "Issue 47 – March 2024 – Roads policing" leaves " –   – Roads policing";
    only dashes standing between spaces are separators, so a hyphenated
    theme ("Stop-and-search") survives.
    """
    chunks = re.split(r"(?:\s+[-–—|:]+(?=\s)|[(),])+", f" {rest} ")
    return " – ".join(chunk.strip(" -–—|:,") for chunk in chunks if chunk.strip(" -–—|:,"))


def _is_theme_line(unit: Unit) -> bool:
    """A masthead theme such as "Protecting vulnerable people"."""
    return (
        title_like(unit.text, max_words=8)
        and not _CONTENTS_RE.match(unit.text)
        and not _FOREWORD_RE.match(unit.text)
        and not is_link(unit)
        and not re.fullmatch(r"learning\s+the\s+lessons", unit.text.strip(), re.I)
    )


def _foreword(front: list[Unit]) -> tuple[str, str]:
    """Foreword text and its signature block."""
    start = next((i for i, unit in enumerate(front) if _FOREWORD_RE.match(unit.text)), None)
    if start is None:
        return "", ""
    end = next((i for i in range(start + 1, len(front)) if _CASE_SUMMARIES_RE.match(front[i].text)), len(front))
    body = [unit for unit in front[start + 1 : end] if not is_link(unit)]
    signature: list[Unit] = []
    while body and not body[-1].bullet and word_count(body[-1].text) <= _SIGNATURE_MAX_WORDS:
        if ends_sentence(body[-1].text):
            break
        signature.insert(0, body.pop())
    return render(body), "\n".join(unit.text for unit in signature)


def _theme_index(front: list[Unit]) -> tuple[list[tuple[str, list[int]]], int | None]:
    """Theme index entries ("Call handling" / "Cases" / "3, 4, 5") and where it starts."""
    entries: list[tuple[str, list[int]]] = []
    first: int | None = None
    index = 0
    while index < len(front):
        unit = front[index]
        one_line = _THEME_ONE_LINE_RE.match(unit.text)
        if one_line and not unit.bullet:
            entries.append((one_line["label"].strip(), parse_number_list(one_line["refs"])))
            first = index if first is None else first
            index += 1
            continue
        following = front[index + 1] if index + 1 < len(front) else None
        cases_word = _CASES_WORD_RE.match(following.text) if following else None
        if cases_word and title_like(unit.text) and not unit.bullet:
            refs = cases_word["refs"]
            step = 2
            if not refs and index + 2 < len(front) and _REF_LIST_RE.match(front[index + 2].text):
                refs, step = front[index + 2].text, 3
            if refs:
                entries.append((unit.text, parse_number_list(refs)))
                first = index if first is None else first
                index += step
                continue
        index += 1
    return entries, first


def _contents(front: list[Unit], stop: int | None) -> list[tuple[str, list[int]]]:
    """ "Issues covered" entries such as "Closing calls3" -> ("Closing calls", [3])."""
    start = next((i for i, unit in enumerate(front) if _CONTENTS_RE.match(unit.text)), None)
    if start is None:
        return []
    end = stop if stop is not None and stop > start else len(front)
    entries = []
    for unit in front[start + 1 : end]:
        if ends_sentence(unit.text) or _FOREWORD_RE.match(unit.text) or _CASE_SUMMARIES_RE.match(unit.text):
            break
        match = _CONTENTS_ITEM_RE.match(unit.text) if len(unit.text) <= _MAX_CONTENTS_LINE else None
        if match and unit.number is not None and _LEADER_RE.search(unit.text[len(match["label"]) :]):
            # "1. A missing teenager ........ 3": the case is numbered; dots lead to its page number
            entries.append((match["label"].strip(" .…"), [unit.number]))
        elif match:
            entries.append((match["label"].strip(), parse_number_list(match["refs"])))
    return entries


class _CaseReader:
    """Reads one case's units into narrative, the four lists, links and notes.

    A list section ends at the next section heading, or at the first plain
    paragraph after its bullet points.  After that, a heading-like line means
    the bulletin has moved on to back matter ("Related reading").
    """

    def __init__(self) -> None:
        self.narrative: list[Unit] = []
        self.lists: dict[str, list[str]] = {key: [] for key in SECTION_LABELS}
        self.seen: list[str] = []
        self.links: list[str] = []
        self.notes: list[str] = []
        self.back: list[Unit] = []
        self.section: str | None = None
        self.closed = False
        self.list_started = False

    def read(self, units: list[Unit]) -> None:
        """Read the units of one case, link prompts first so they never land in a list."""
        for unit in units:
            if self.back or _BACK_MATTER_RE.match(strip_colon(unit.text)) and looks_like_heading(unit):
                self.back.append(unit)
            elif is_link(unit):
                self.links.append(link_text(unit))
            else:
                self._read_unit(unit)

    def _read_unit(self, unit: Unit) -> None:
        """Route a unit to the narrative, the current list, or notes."""
        key = section_key(unit)
        if key:
            self.section, self.closed, self.list_started = key, False, False
            self.seen.append(key)
        elif self.section is None:
            self.narrative.append(unit)
        elif self.closed:
            self._after_lists(unit)
        elif unit.bullet:
            self.lists[self.section].append(unit.text)
            self.list_started = True
        elif self.list_started:
            self.closed = True
            self._after_lists(unit)
        elif unit.text.endswith(":"):
            self.notes.append(unit.text)
        else:
            self.lists[self.section].append(unit.text)

    def _after_lists(self, unit: Unit) -> None:
        """Text after a closed list: notes, until a heading starts the back matter."""
        if looks_like_heading(unit):
            self.back.append(unit)
        else:
            self.notes.append(unit.text)


def _case_warnings(case: ParsedCase, seen: list[str]) -> list[str]:
    """Name every expected part of a case that was not found."""
    name = f"Case {case.number} ({case.title})"
    warnings = []
    if not case.narrative:
        warnings.append(f"{name}: no narrative found")
    for key, label in SECTION_LABELS.items():
        if key not in seen:
            warnings.append(f"{name}: no '{label}' section found")
        elif not getattr(case, key):
            warnings.append(f"{name}: the '{label}' section is empty")
    return warnings


def _read_case(
    span: _CaseSpan, units: list[Unit], themes: dict[int, list[str]], topics: dict[int, list[str]]
) -> tuple[ParsedCase, list[Unit], list[str]]:
    """Parse one case; returns the case, any back matter after it, and warnings."""
    heading = span.heading
    reader = _CaseReader()
    reader.read(units[heading.body : span.end])
    case = ParsedCase(
        number=heading.number,
        title=heading.title,
        narrative=render(reader.narrative),
        questions_managers=reader.lists["questions_managers"],
        questions_staff=reader.lists["questions_staff"],
        actions=reader.lists["actions"],
        outcomes=reader.lists["outcomes"],
        links=reader.links,
        themes=themes.get(heading.number, []),
        topics=topics.get(heading.number, []),
        notes=reader.notes,
    )
    return case, reader.back, _case_warnings(case, reader.seen)


def _by_case(entries: list[tuple[str, list[int]]]) -> dict[int, list[str]]:
    """Invert index entries into case number -> labels."""
    result: dict[int, list[str]] = {}
    for label, numbers in entries:
        for number in numbers:
            result.setdefault(number, [])
            if label not in result[number]:
                result[number].append(label)
    return result


def _reference_warnings(what: str, entries: list[tuple[str, list[int]]], numbers: set[int]) -> list[str]:
    """Index entries pointing at cases we did not find usually mean a case was lost: say so."""
    missing = sorted({n for _, refs in entries for n in refs} - numbers)
    return [f"{what} refers to case {n}, which was not found in the bulletin" for n in missing]


def _numbering_warnings(spans: list[_CaseSpan]) -> list[str]:
    """Name case numbers skipped in the sequence (a lost page, or a heading we could not read)."""
    numbers = [span.heading.number for span in spans]
    warnings = []
    for before, after in zip(numbers, numbers[1:], strict=False):
        for gap in range(before + 1, after):
            warnings.append(f"Case {gap} not found (case numbers jump from {before} to {after})")
    return warnings


def parse_bulletin(units: list[Unit]) -> ParsedDocument:
    """Parse a multi-case bulletin from canonical units."""
    spans = _find_cases(units)
    front = units[: spans[0].heading.index] if spans else units
    issue, found_date, theme = _header(front)
    foreword, foreword_author = _foreword(front)
    theme_entries, theme_start = _theme_index(front)
    contents = _contents(front, theme_start)

    warnings: list[str] = []
    if issue is None:
        warnings.append("Bulletin issue number not found")
    if found_date is None:
        warnings.append("Bulletin date not found")
    if not spans:
        warnings.append("No case summaries found (expected numbered cases with key questions, actions and outcomes)")
    warnings += _numbering_warnings(spans)

    cases, back_units = [], []
    themes_by_case, topics_by_case = _by_case(theme_entries), _by_case(contents)
    for span in spans:
        case, back, case_warnings = _read_case(span, units, themes_by_case, topics_by_case)
        cases.append(case)
        back_units += back
        warnings += case_warnings
    numbers = {case.number for case in cases}
    if cases:
        warnings += _reference_warnings("The theme index", theme_entries, numbers)
        warnings += _reference_warnings("The contents list", contents, numbers)

    labelled = [theme for unit in front if (found := labelled_themes(unit)) for theme in found]
    outside = front + back_units
    links = find_urls(units) + [link_text(unit) for unit in outside if is_link(unit)]
    return ParsedDocument(
        kind="bulletin",
        title=theme,
        issue=issue,
        date=found_date[0] if found_date else None,
        date_text=found_date[1] if found_date else "",
        themes=unique(labelled + [label for label, _ in theme_entries]),
        foreword=foreword,
        foreword_author=foreword_author,
        cases=cases,
        links=unique(links),
        back_matter=render(back_units),
        warnings=warnings,
    )
