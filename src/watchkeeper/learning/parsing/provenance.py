"""Where each field of a parsed record came from (safeguard K1).

A learning lead checks a record against the original: for every field the parser filled, this says the
page (for formats with pages: PDF, text with form feeds, Word with page breaks) and the line of the text
read (for plain text the line of the file, for Word its paragraph or table row, for a web page its block)
where the field starts. Worked out after parsing, by finding each value's opening words among the
document's units in reading order, so every kind of record gets it the same way and a parser change
cannot forget to carry it.

Paths name fields as the record does: "title", "themes.0", "cases.2.narrative",
"cases.2.questions_managers.1", "recommendations.0.response".
"""

from __future__ import annotations

import re
from typing import Any

from .models import ParsedDocument
from .text import Unit

_NEEDLE_WORDS = 8
_TOP_FIELDS = (
    "title", "date_text", "force", "reference", "summary", "foreword", "foreword_author", "overview",
    "investigation_type", "source_label", "back_matter",
)  # fmt: skip
_TOP_LISTS = (
    "themes", "raising_issues", "relevant_to", "findings", "outcomes", "questions_managers", "questions_staff",
)  # fmt: skip
_CASE_FIELDS = ("title", "narrative")
_CASE_LISTS = ("questions_managers", "questions_staff", "actions", "outcomes", "links", "notes")
_REC_FIELDS = ("text", "addressed_to", "response")


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _needle(value: str) -> str:
    first = next((line for line in value.split("\n") if line.strip()), "")
    return " ".join(_norm(first.lstrip("- ")).split()[:_NEEDLE_WORDS])


class _Finder:
    """Finds values among the units, searching on from the last find and then from the start."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.texts = [f" {_norm(unit.text)} " for unit in units]
        self.cursor = 0

    def find(self, value: str, *, move: bool = True) -> dict[str, Any] | None:
        needle = _needle(value)
        if not needle:
            return None
        padded = f" {needle} "
        order = list(range(self.cursor, len(self.units))) + list(range(0, self.cursor))
        for index in order:
            if padded in self.texts[index]:
                if move:
                    self.cursor = index
                unit = self.units[index]
                return {"page": unit.page, "line": unit.line}
        return None


def locate(parsed: ParsedDocument, units: list[Unit]) -> dict[str, dict[str, Any]]:
    """Path -> {"page": int | None, "line": int} for every filled field that can be found."""
    finder = _Finder(units)
    found: dict[str, dict[str, Any]] = {}

    def put(path: str, value: Any, *, move: bool = True) -> None:
        if isinstance(value, str) and value.strip():
            where = finder.find(value, move=move)
            if where:
                found[path] = where

    for name in _TOP_FIELDS:
        put("date" if name == "date_text" else name, getattr(parsed, name), move=False)
    for label, number in (("issue", parsed.issue), ("case_number", parsed.case_number)):
        if number is not None:
            pattern = re.compile(rf"\b(?:issue|bulletin|case)\s*(?:no\.?\s*)?{number}\b", re.I)
            unit = next((u for u in units if pattern.search(u.text)), None)
            if unit is not None:
                found[label] = {"page": unit.page, "line": unit.line}
    for entry in parsed.dates:
        if entry["label"] == "response due":
            put("response_due", entry["text"], move=False)
    for name in _TOP_LISTS:
        for i, item in enumerate(getattr(parsed, name)):
            put(f"{name}.{i}", item, move=name != "themes")
    finder.cursor = 0
    for c, case in enumerate(parsed.cases):
        for name in _CASE_FIELDS:
            put(f"cases.{c}.{name}", getattr(case, name))
        for name in _CASE_LISTS:
            for i, item in enumerate(getattr(case, name)):
                put(f"cases.{c}.{name}.{i}", item)
    finder.cursor = 0
    for r, rec in enumerate(parsed.recommendations):
        for name in _REC_FIELDS:
            put(f"recommendations.{r}.{name}", getattr(rec, name))
        put(f"recommendations.{r}.recommended", rec.recommended_text, move=False)
    return found
