"""Recommendation records (safeguard K1).

A record lists the recommendations made to a force after one investigation:
force, reference, date recommended, response due, themes, a summary, then
each recommendation with its text, who it is addressed to, linked bodies,
whether it was accepted and the force's response.

Where the record gives no response-due date, the statutory default (56 days
after the recommendation was made) is used and flagged, because a
control-room safeguard that tracks overdue responses must never treat
"no date written down" as "no deadline".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import STATUTORY_RESPONSE_DAYS, FoundDate, default_response_due, find_date
from .models import ParsedDocument, ParsedRecommendation
from .text import (
    Unit,
    find_urls,
    is_link,
    link_text,
    render,
    split_cells,
    split_sentence_case_run,
    strip_colon,
    title_like,
    unique,
)

_SOURCE_RE = re.compile(r"^source\s*[·:|•-]\s*(?P<source>.+)$", re.I)
_FORCE_REF_RE = re.compile(
    r"^(?P<force>.*?)\s*\bref(?:erence)?\s*(?:no\.?\s*)?[:.]?\s*(?P<ref>[\w/.-]*\d[\w/.-]*)", re.I
)
_FORCE_RE = re.compile(r"^force\s*:\s*(?P<force>.+)$", re.I)
_REFERENCE_RE = re.compile(r"^(?:ref|reference)(?:\s+(?:no\.?|number))?\s*:\s*(?P<ref>.+)$", re.I)
_MADE_RE = re.compile(
    r"\b(?:date\s+recommended|recommended(?:\s+on)?|date\s+(?:made|issued)|recommendation\s+made(?:\s+on)?)"
    r"\s*:?\s*(?P<rest>.+)$",
    re.I,
)
_DUE_RE = re.compile(r"\bresponse\s+due(?:\s+by)?\s*:?\s*(?P<rest>.+)$", re.I)
_DATE_LABEL_RE = re.compile(
    r"\b(?:date\s+recommended|recommended(?:\s+on)?|date\s+(?:made|issued)|recommendation\s+made(?:\s+on)?"
    r"|response\s+due(?:\s+by)?)\s*:?\s*",
    re.I,
)
_MAX_DATE_LINE = 120
_ADDRESS_ONLY_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_THEMES_RE = re.compile(r"^themes?\s*:\s*(?P<themes>.+)$", re.I)
_TITLE_RE = re.compile(r"^title\s*:\s*(?P<title>.+)$", re.I)
_SUMMARY_LABEL_RE = re.compile(r"^summary\s*:?\s*", re.I)
_RECOMMENDATIONS_HEADING_RE = re.compile(r"^recommendations$", re.I)
_TOTAL_RE = re.compile(r"^(?P<total>\d+)\s+(?:total|recommendations?)$", re.I)
_RECOMMENDATION_RE = re.compile(r"^recommendation\s+(?P<number>\d+)(?:\s*[:.–—-]\s*(?P<text>.*))?$", re.I)
_ADDRESSED_RE = re.compile(r"^addressed\s+to\s*:\s*(?P<value>.*)$", re.I)
_LINKED_RE = re.compile(r"^linked\s+bod(?:y|ies)\s*:\s*(?P<value>.*)$", re.I)
_FORCE_RESPONSE_RE = re.compile(r"^(?:force|organisation(?:al)?)\s+response\s*:?\s*(?P<text>.*)$", re.I)
_ASKED_RE = re.compile(
    r"\s*do\s+you\s+accept\s+the\s+recommendation\s*\?\s*(?P<answer>yes|no|partly|in\s+part)\.?\s*$", re.I
)
_STATUS_RE = re.compile(
    r"^(?:(?:status|decision|outcome)\s*:\s*)?"
    r"(?P<status>accepted(?:\s+in\s+(?:full|part))?|partly\s+accepted|partially\s+accepted|not\s+accepted"
    r"|rejected|declined|pending|awaiting\s+response|response\s+awaited|no\s+response(?:\s+received)?)\.?$",
    re.I,
)
_RESPONSE_PREFIX_RE = re.compile(
    r"^(?:recommendation\s+)?(?P<status>not\s+accepted|partly\s+accepted|partially\s+accepted|accepted)\b",
    re.I,
)


def _status(words: str) -> tuple[bool | None, str]:
    """(accepted, status) from wording such as "Accepted" or "Not accepted"."""
    words = " ".join(words.lower().split())
    if words.startswith(("not", "rejected", "declined")) or words == "no":
        return False, "not accepted"
    if "part" in words:
        return True, "partly accepted"
    if words.startswith("accepted") or words == "yes":
        return True, "accepted"
    return None, "awaiting response"


@dataclass
class _Recommendation:
    """One recommendation as it is read: text, labelled details, then the force response."""

    number: int
    text: list[Unit] = field(default_factory=list)
    addressed_to: str = ""
    linked_bodies: list[str] = field(default_factory=list)
    decision: tuple[bool | None, str] | None = None
    asked_answer: str = ""
    response: list[Unit] = field(default_factory=list)
    phase: str = "text"
    made: FoundDate | None = None
    due: FoundDate | None = None

    def read(self, unit: Unit) -> None:
        """Route one unit to the text, a labelled field, or the response."""
        text = unit.text
        if not unit.bullet and (dated := _date_line(text)):
            self.made, self.due = dated[0] or self.made, dated[1] or self.due
            self.phase = "details" if self.phase == "text" else self.phase
        elif not unit.bullet and (match := _ADDRESSED_RE.match(text)):
            self.addressed_to, self.phase = match["value"].strip(), "details"
        elif not unit.bullet and (match := _LINKED_RE.match(text)):
            self.linked_bodies, self.phase = split_cells(match["value"]), "details"
        elif not unit.bullet and (match := _STATUS_RE.match(text)):
            self.decision, self.phase = _status(match["status"]), "details"
        elif not unit.bullet and (match := _FORCE_RESPONSE_RE.match(text)):
            self.phase = "response"
            if match["text"]:
                self.response.append(Unit(match["text"]))
        elif self.phase == "text":
            self._add_text(unit)
        elif not _ADDRESS_ONLY_RE.match(text):  # a bare web address is a link (kept in links), not the response
            self.response.append(unit)

    def _add_text(self, unit: Unit) -> None:
        """Add to the text, lifting out a trailing "Do you accept the recommendation? Yes"."""
        asked = _ASKED_RE.search(unit.text)
        if asked:
            self.asked_answer = asked["answer"]
            unit = Unit(unit.text[: asked.start()].rstrip(), unit.bullet, unit.number)
        if unit.text:
            self.text.append(unit)

    def decided(self) -> tuple[bool | None, str | None]:
        """The acceptance decision, from the status line or, failing that, other wording."""
        if self.decision:
            return self.decision
        if self.asked_answer:
            return _status(self.asked_answer)
        prefix = _RESPONSE_PREFIX_RE.match(self.response[0].text) if self.response else None
        if prefix:
            return _status(prefix["status"])
        return None, None


def _date_line(text: str) -> tuple[FoundDate | None, FoundDate | None] | None:
    """(date recommended, response due) from a line that is nothing but labelled dates ("Recommended
    4 Jun 2025", "Date recommended: 04/06/2025 Response due: 30/07/2025"); None for any other line."""
    if len(text) > _MAX_DATE_LINE or not _DATE_LABEL_RE.match(text):
        return None
    leftover = text
    for label in _DATE_LABEL_RE.finditer(text):
        found = find_date(text[label.end() :])
        if found is None or not text[label.end() :].startswith(found[1]):
            return None
        leftover = leftover.replace(label.group(0), " ", 1).replace(found[1], " ", 1)
    if leftover.strip(" .,;|·–—-"):
        return None
    made = _MADE_RE.search(text)
    due = _DUE_RE.search(text)
    return (find_date(made["rest"]) if made else None), (find_date(due["rest"]) if due else None)


def _fix_glued_enumeration(text: str) -> str:
    """Separate "...becomes availableb) instructions" into "available b) instructions".

    Web copies of records lose the line breaks of lettered lists.  Only the
    expected next letter is split off, and only after an "a)" has been seen,
    so ordinary words ending in "b)" are left alone.
    """
    first = re.search(r"(?:^|[\s:;(])a\) ", text)
    if not first:
        return text
    letter, position = "b", first.end()
    while letter <= "z":
        found = text.find(f"{letter}) ", position)
        if found < 0:
            break
        if found > 0 and text[found - 1].isalpha():
            text = text[:found] + " " + text[found:]
            found += 1
        letter, position = chr(ord(letter) + 1), found + 3
    return text


@dataclass
class _Meta:
    """What the record says before its first recommendation."""

    source: str = ""
    title: str = ""
    force: str = ""
    reference: str = ""
    made: FoundDate | None = None
    due: FoundDate | None = None
    themes: list[str] = field(default_factory=list)
    summary: list[Unit] = field(default_factory=list)


def _read_labelled(unit: Unit, meta: _Meta) -> str | None:
    """Fill metadata from one line.

    Returns "details" for the force/reference/date line (a themes line may
    follow it), "label" for other metadata, and None for ordinary text.
    """
    text = unit.text
    if match := _SOURCE_RE.match(text):
        meta.source = match["source"].strip()
        return "label"
    if match := _TITLE_RE.match(text):
        meta.title = match["title"].strip()
        return "label"
    if match := _THEMES_RE.match(text):
        meta.themes = split_cells(match["themes"])
        return "label"
    found = False
    if match := _FORCE_RE.match(text):
        meta.force, found = match["force"].strip(), True
    if match := _REFERENCE_RE.match(text):
        meta.reference, found = match["ref"].strip(), True
    elif (match := _FORCE_REF_RE.match(text)) and not meta.reference:
        meta.reference, found = match["ref"].strip(), True
        meta.force = meta.force or match["force"].strip(" ,;-–—")
    if (match := _MADE_RE.search(text)) and not meta.made and (made := find_date(match["rest"])):
        meta.made, found = made, True
    if (match := _DUE_RE.search(text)) and not meta.due and (due := find_date(match["rest"])):
        meta.due, found = due, True
        after = match["rest"][match["rest"].find(due[1]) + len(due[1]) :].strip()
        if after and not meta.themes:
            meta.themes = split_sentence_case_run(after)
    return "details" if found else None


def _read_meta(units: list[Unit]) -> _Meta:
    """Everything before the first recommendation: metadata, title and summary.

    The title is the title-like line nearest above the force/reference/date line: a publisher's masthead
    or a site name can stand above it ("Learning Case Library"), and is not the title."""
    meta = _Meta()
    labels = [_read_labelled(unit, _Meta()) for unit in units]
    first_details = next((i for i, labelled in enumerate(labels) if labelled == "details"), None)
    title_at: int | None = None
    if first_details is not None:
        title_at = next(
            (
                i
                for i in range(first_details - 1, -1, -1)
                if labels[i] is None and not is_link(units[i]) and title_like(units[i].text, max_words=25)
            ),
            None,
        )
    details_at: int | None = None
    for index, unit in enumerate(units):
        labelled = _read_labelled(unit, meta)
        if labelled == "details":
            details_at = index
        elif labelled or is_link(unit):
            continue
        elif index == title_at:
            meta.title = meta.title or unit.text
        elif title_at is not None and index < title_at and title_like(unit.text, max_words=25):
            continue
        elif title_at is None and details_at is None and not meta.title and title_like(unit.text, max_words=25):
            meta.title = unit.text
        elif details_at == index - 1 and not meta.themes and title_like(unit.text, max_words=12):
            meta.themes = split_sentence_case_run(unit.text)
        else:
            meta.summary.append(Unit(_SUMMARY_LABEL_RE.sub("", unit.text), unit.bullet, unit.number))
    return meta


def _split_recommendations(units: list[Unit]) -> tuple[list[Unit], list[_Recommendation], int | None]:
    """Units before the recommendations, the recommendations, and any stated total."""
    before: list[Unit] = []
    found: list[_Recommendation] = []
    total: int | None = None
    for unit in units:
        heading = None if unit.bullet else _RECOMMENDATION_RE.match(unit.text)
        if heading:
            found.append(_Recommendation(int(heading["number"])))
            if heading["text"]:
                found[-1].read(Unit(heading["text"]))
        elif found:
            found[-1].read(unit)
        elif _RECOMMENDATIONS_HEADING_RE.match(strip_colon(unit.text)):
            continue
        elif (match := _TOTAL_RE.match(unit.text)) and total is None:
            total = int(match["total"])
        else:
            before.append(unit)
    return before, found, total


def _to_parsed(found: _Recommendation, meta: _Meta) -> ParsedRecommendation:
    """The public record of one recommendation, dated by its own dates where it states them, else the
    record's (a due date stated nowhere is the statutory default)."""
    accepted, status = found.decided()
    made = found.made or meta.made
    stated = found.due or meta.due
    due = stated[0] if stated else (default_response_due(made[0]) if made else None)
    return ParsedRecommendation(
        number=found.number,
        text=_fix_glued_enumeration(render(found.text)),
        addressed_to=found.addressed_to,
        linked_bodies=found.linked_bodies,
        accepted=accepted,
        status=status,
        response=render(found.response),
        recommended=made[0] if made else None,
        recommended_text=made[1] if made else "",
        response_due=due,
        response_due_is_default=stated is None and due is not None,
    )


def _record_date(meta: _Meta, found: list[_Recommendation]) -> FoundDate | None:
    """The record's date: the one it states, else the earliest its recommendations were made."""
    made = [item.made for item in found if item.made]
    return meta.made or min(made, key=lambda date: date[0], default=None)


def _warnings(meta: _Meta, found: list[_Recommendation], total: int | None) -> list[str]:
    """Name every expected part of the record that was not found."""
    made = _record_date(meta, found)
    expected = [
        (bool(meta.force), "force not found"),
        (bool(meta.reference), "reference not found"),
        (made is not None, "date recommended not found"),
        (bool(found), "no recommendations found"),
    ]
    warnings = [f"Recommendation record: {message}" for present, message in expected if not present]
    if meta.due is None and made is not None and not all(item.due for item in found):
        warnings.append(
            "Recommendation record: response due date not stated; using the statutory default of "
            f"{STATUTORY_RESPONSE_DAYS} days after the date recommended"
        )
    if total is not None and total != len(found):
        warnings.append(f"Recommendation record: states {total} recommendations but {len(found)} were found")
    for item in found:
        name = f"Recommendation record: recommendation {item.number}"
        if made is not None and meta.made is None and item.made is None:
            warnings.append(f"{name}: date recommended not found")
        if not item.text:
            warnings.append(f"{name}: text not found")
        if not item.addressed_to:
            warnings.append(f"{name}: 'Addressed to' not found")
        if item.decided()[1] is None:
            warnings.append(f"{name}: whether it was accepted not found")
        if not item.response:
            warnings.append(f"{name}: force response not found")
    return warnings


def parse_recommendation_record(units: list[Unit]) -> ParsedDocument:
    """Parse a recommendation record from canonical units."""
    before, found, total = _split_recommendations(units)
    meta = _read_meta(before)
    dated = _record_date(meta, found)
    made = dated[0] if dated else None
    due = meta.due[0] if meta.due else (default_response_due(made) if made else None)
    links = find_urls(units) + [link_text(unit) for unit in before if is_link(unit)]
    return ParsedDocument(
        kind="recommendation_record",
        title=meta.title,
        date=made,
        date_text=dated[1] if dated else "",
        themes=meta.themes,
        summary=render(meta.summary),
        recommendations=[_to_parsed(item, meta) for item in found],
        source_label=meta.source,
        force=meta.force,
        reference=meta.reference,
        response_due=due,
        response_due_is_default=meta.due is None and due is not None,
        links=unique(links),
        warnings=_warnings(meta, found, total),
    )
