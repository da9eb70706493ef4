"""Date reading for learning documents (safeguard K1).

Learning documents write dates for people ("23 November 2022", "29 Sep
2020", "November 2016"), so we read the common UK forms and nothing clever:
an ambiguous or impossible date is treated as absent (and the kind parser
then warns) rather than guessed.
"""

from __future__ import annotations

import datetime
import re

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY_MONTH_YEAR = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,\s*(?P<year>\d{{4}})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<year>\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_NUMERIC_UK = re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})\b")

FoundDate = tuple[datetime.date, str]
"""A date and the words it was written as ("29 Sep 2020")."""

STATUTORY_RESPONSE_DAYS = 56
"""Days a force has to respond to a recommendation when no due date is given."""


def _month_number(name: str) -> int:
    """1-12 from a month name or its abbreviation."""
    return _MONTHS[name[:3].lower()]


def _safe_date(year: str, month: int, day: str | int) -> datetime.date | None:
    """The date, or None for an impossible one such as 31 February (never guessed)."""
    try:
        return datetime.date(int(year), month, int(day))
    except ValueError:
        return None


def find_date(text: str) -> FoundDate | None:
    """First full date in ``text`` with the words it was written as."""
    candidates: list[tuple[int, datetime.date, str]] = []
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            found = _safe_date(match["year"], _month_number(match["month"]), match["day"])
            if found:
                candidates.append((match.start(), found, match.group(0)))
    for pattern in (_ISO, _NUMERIC_UK):
        for match in pattern.finditer(text):
            found = _safe_date(match["year"], int(match["month"]), match["day"])
            if found:
                candidates.append((match.start(), found, match.group(0)))
    if not candidates:
        return None
    _, found, words = min(candidates, key=lambda candidate: candidate[0])
    return found, words


def find_month(text: str) -> FoundDate | None:
    """A "November 2016" style month, as the first day of that month."""
    match = _MONTH_YEAR.search(text)
    if not match:
        return None
    found = _safe_date(match["year"], _month_number(match["month"]), 1)
    return (found, match.group(0)) if found else None


def find_date_or_month(text: str) -> FoundDate | None:
    """A full date if there is one, otherwise a month."""
    return find_date(text) or find_month(text)


def is_only_a_date(text: str) -> bool:
    """True if the text is nothing but a date or month ("December 2017")."""
    found = find_date_or_month(text)
    return found is not None and text.strip(" .,").lower() == found[1].strip(" .,").lower()


def default_response_due(made: datetime.date) -> datetime.date:
    """The statutory response date: 56 days after the recommendation was made."""
    return made + datetime.timedelta(days=STATUTORY_RESPONSE_DAYS)


_LABELLED_RE = re.compile(
    r"\b(?P<label>(?:date\s+)?published(?:\s+on)?|publication\s+date|first\s+published|issued"
    r"|date\s+recommended|recommended(?:\s+on)?|response\s+due(?:\s+by)?|(?:last\s+)?updated(?:\s+on)?"
    r"|date\s+of\s+(?:the\s+)?incident|date)\s*:?\s*",
    re.I,
)
_LABELS = (
    ("published", re.compile(r"publi|issued", re.I)),
    ("recommended", re.compile(r"recommended", re.I)),
    ("response due", re.compile(r"response", re.I)),
    ("updated", re.compile(r"updated", re.I)),
    ("incident", re.compile(r"incident", re.I)),
)


def labelled_dates(lines: list[str]) -> list[dict[str, str]]:
    """Every date a document states, with what it is: "published", "recommended", "response due",
    "updated", "incident", or "" (a date standing alone, or in a running header or footer). Read from
    "Published January 2020", "Recommended 14 Feb 2023", "Response due 24 Nov 2020" and plain dates.
    Each as {"label", "date" (ISO), "text"}; the same date with the same label once."""
    found: list[dict[str, str]] = []

    def add(label: str, date: FoundDate) -> None:
        entry = {"label": label, "date": date[0].isoformat(), "text": date[1]}
        if entry not in found:
            found.append(entry)

    for line in lines:
        labelled = False
        for match in _LABELLED_RE.finditer(line):
            after = line[match.end() :]
            date = find_date_or_month(after[:40])
            if date and after.lower().startswith(date[1].lower()):
                add(next((name for name, pattern in _LABELS if pattern.search(match["label"])), ""), date)
                labelled = True
        if not labelled and len(line.split()) <= 12 and (date := find_date_or_month(line)):
            add("", date)
    return found


def publication_date(lines: list[str]) -> FoundDate | None:
    """The date a document says it was published ("Published January 2020"), if it says so."""
    for entry in labelled_dates(lines):
        if entry["label"] == "published":
            return datetime.date.fromisoformat(entry["date"]), entry["text"]
    return None
