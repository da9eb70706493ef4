"""Field accuracy of the learning parser on documents with their expected records written down (K1).

Each fixture in ``tests/fixtures/learning/formats/`` is a document as text (copied from its PDF, so with
its page furniture and page breaks) and ``<name>.expected.json``: the publisher's running header and
footer (``furniture``), whether it is ``held_out`` (never used to tune the parser), and the ``record``
a careful reader would write down. The document is rendered to PDF, Word and HTML by the shared renderer
(`bench/documents.py`), each format is read and parsed, and every field of the expected record is
compared with the parse: a field is a top-level value, or one value of a case or recommendation
("cases.2.actions"). Lists are compared whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchkeeper.bench.documents import Furniture, render

FORMATS = ("txt", "pdf", "docx", "html")
_EXTENSIONS = {"txt": ".txt", "pdf": ".pdf", "docx": ".docx", "html": ".html"}


def fixtures_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "learning" / "formats"


@dataclass(frozen=True)
class Fixture:
    name: str
    text: str
    record: dict[str, Any]
    furniture: Furniture
    held_out: bool

    def render(self, fmt: str) -> tuple[bytes, str]:
        """The document in one format, with a file name that says it."""
        return render(fmt, self.text, self.furniture), f"{self.name}{_EXTENSIONS[fmt]}"


def load(folder: Path | None = None) -> list[Fixture]:
    folder = folder or fixtures_dir()
    found = []
    for expected in sorted(folder.glob("*.expected.json")):
        name = expected.name.removesuffix(".expected.json")
        data = json.loads(expected.read_text(encoding="utf-8"))
        found.append(
            Fixture(
                name=name,
                text=(folder / f"{name}.txt").read_text(encoding="utf-8"),
                record=data["record"],
                furniture=Furniture(**data.get("furniture", {})),
                held_out=bool(data.get("held_out")),
            )
        )
    return found


def fields(expected: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, expected value) for every field the expected record names."""
    out: list[tuple[str, Any]] = []
    for key, value in expected.items():
        if key in ("cases", "recommendations"):
            out.append((f"{prefix}{key}.count", len(value)))
            for index, item in enumerate(value):
                out += fields(item, f"{prefix}{key}.{index}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def value_at(record: dict[str, Any], path: str) -> Any:
    current: Any = record
    parts = path.split(".")
    for position, part in enumerate(parts):
        if part == "count" and position == len(parts) - 1 and isinstance(current, list):
            return len(current)
        if isinstance(current, list):
            index = int(part)
            if index >= len(current):
                return None
            current = current[index]
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


@dataclass
class Score:
    matched: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.matched += other.matched
        self.total += other.total
        self.wrong += other.wrong

    @property
    def accuracy(self) -> float:
        return round(self.matched / self.total, 4) if self.total else 1.0


def score(expected: dict[str, Any], parsed: dict[str, Any], label: str = "") -> Score:
    """How many of the expected record's fields the parse got exactly right, and which it did not."""
    result = Score()
    for path, value in fields(expected):
        result.total += 1
        if value_at(parsed, path) == value:
            result.matched += 1
        else:
            result.wrong.append(f"{label}{path}")
    return result


def evaluate(fixtures: list[Fixture] | None = None) -> dict[str, Any]:
    """Field accuracy per set (tuned, held out) and format, and whether each document's formats were
    recognised as one document (the same fingerprint)."""
    from watchkeeper.learning.parsing import parse_document
    from watchkeeper.learning.parsing.identity import fingerprint

    report: dict[str, Any] = {}
    for held_out in (False, True):
        chosen = [f for f in (fixtures or load()) if f.held_out == held_out]
        per_format = {fmt: Score() for fmt in FORMATS}
        one_document = 0
        for fixture in chosen:
            prints = set()
            for fmt in FORMATS:
                data, filename = fixture.render(fmt)
                parsed = parse_document(data, filename)
                prints.add(fingerprint(parsed))
                per_format[fmt].add(score(fixture.record, parsed.to_dict(), f"{fixture.name}[{fmt}]: "))
            one_document += int(len(prints) == 1)
        overall = Score()
        for part in per_format.values():
            overall.add(part)
        report["held_out" if held_out else "tuned"] = {
            "documents": len(chosen),
            "fields": overall.total,
            "field_accuracy": overall.accuracy,
            "by_format": {fmt: part.accuracy for fmt, part in per_format.items()},
            "recognised_as_one_document": one_document,
            "wrong": overall.wrong[:50],
        }
    return report
