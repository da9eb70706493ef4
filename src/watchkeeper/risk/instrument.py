"""R1: a risk instrument is data. The file format a force writes, and its validation on load.

An instrument is one JSON document (format 1): its code and version, the levels it grades risk in, its
sections of questions, the conditions that make a section mandatory (R2), and the guidance rules that turn
answers into a level (R3). Loading refuses a document that does not match the format, naming the field,
before anything is stored; a version once loaded is never changed (a corrected form is a new version), and
every assessment keeps the version it was made with.

Pure: pydantic only, no Django, so the rules and the unit tests read instruments directly.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

FORMAT = 1
MAX_QUESTIONS = 200
MAX_SECTIONS = 30
MAX_DOCUMENT_BYTES = 256_000

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{1,64}$")]
Version = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"\S")]
LongText = Annotated[str, StringConstraints(max_length=2000)]
Word = Annotated[str, StringConstraints(min_length=2, max_length=80, pattern=r"\S")]
SubjectRole = Literal["victim", "suspect", "subject", "caller", "witness"]

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


class _Strict(BaseModel):
    model_config = STRICT


class Level(_Strict):
    code: Code
    label: Label
    rank: Annotated[int, Field(ge=1, le=99)]


class Option(_Strict):
    code: Code
    label: Label


class Question(_Strict):
    """One question. `yes_no` answers are yes, no or not known; `choice` one of its options (or not known);
    `text` free text. `critical` (yes_no only) counts towards the critical-item guidance rules (R3);
    `indicates` names what a "yes" indicates (R2: "stalking" makes a screen mandatory)."""

    code: Code
    text: Label
    type: Literal["yes_no", "choice", "text"]
    help: LongText = ""
    critical: bool = False
    indicates: Annotated[list[Code], Field(max_length=10)] = []
    options: Annotated[list[Option], Field(max_length=30)] = []

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type == "choice" and len(self.options) < 2:
            raise ValueError(f"question {self.code}: a choice needs at least two options")
        if self.type != "choice" and self.options:
            raise ValueError(f"question {self.code}: only a choice has options")
        if self.type != "yes_no" and (self.critical or self.indicates):
            raise ValueError(f"question {self.code}: only a yes/no question can be critical or indicate")
        codes = [o.code for o in self.options]
        if len(codes) != len(set(codes)) or "not_known" in codes:
            raise ValueError(f"question {self.code}: option codes must be unique and not 'not_known'")
        return self


class When(_Strict):
    """Conditions, any one of which holds: a "yes" to a question that indicates one of `indicators`, a flag
    or category on the log, or one of `words` in what the log records (its contacts and narrative)."""

    indicators: Annotated[list[Code], Field(max_length=20)] = []
    flags: Annotated[list[Code], Field(max_length=20)] = []
    categories: Annotated[list[Code], Field(max_length=20)] = []
    words: Annotated[list[Word], Field(max_length=50)] = []

    def empty(self) -> bool:
        return not (self.indicators or self.flags or self.categories or self.words)


class Section(_Strict):
    """A group of questions. Mandatory by default; with `mandatory_when` it is mandatory only when one of
    its conditions holds (R2), and with `mandatory: false` and no conditions it is optional."""

    code: Code
    title: Label
    mandatory: bool = True
    mandatory_when: When | None = None
    questions: Annotated[list[Question], Field(min_length=1, max_length=MAX_QUESTIONS)]

    @model_validator(mode="after")
    def _shape(self) -> Section:
        if self.mandatory_when is not None:
            if self.mandatory:
                raise ValueError(f"section {self.code}: give mandatory: false with mandatory_when")
            if self.mandatory_when.empty():
                raise ValueError(f"section {self.code}: mandatory_when names no condition")
        return self


class GuidanceRule(_Strict):
    """R3: when at least `at_least` answers are "yes" (`count: yes`) or critical items are "yes"
    (`count: critical`), in one section or the whole instrument, the guidance is at least `level`."""

    count: Literal["yes", "critical"]
    at_least: Annotated[int, Field(ge=1, le=MAX_QUESTIONS)]
    level: Code
    section: Code | None = None


class Instrument(_Strict):
    format: Literal[1]
    code: Code
    version: Version
    title: Label
    description: LongText = ""
    subject_roles: Annotated[list[SubjectRole], Field(min_length=1, max_length=5)]
    prompted_by: When = When()
    levels: Annotated[list[Level], Field(min_length=2, max_length=10)]
    sections: Annotated[list[Section], Field(min_length=1, max_length=MAX_SECTIONS)]
    guidance: Annotated[list[GuidanceRule], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        _unique([lv.code for lv in self.levels], "level codes")
        _unique([lv.rank for lv in self.levels], "level ranks")
        _unique([s.code for s in self.sections], "section codes")
        _unique([q.code for q in self.questions()], "question codes")
        if sum(len(s.questions) for s in self.sections) > MAX_QUESTIONS:
            raise ValueError(f"an instrument has at most {MAX_QUESTIONS} questions")
        levels = {lv.code for lv in self.levels}
        sections = {s.code for s in self.sections}
        indicated = {i for q in self.questions() for i in q.indicates}
        for rule in self.guidance:
            if rule.level not in levels:
                raise ValueError(f"guidance names level {rule.level!r}, which is not one of the levels")
            if rule.section is not None and rule.section not in sections:
                raise ValueError(f"guidance names section {rule.section!r}, which does not exist")
        for s in self.sections:
            unknown = sorted(set(s.mandatory_when.indicators if s.mandatory_when else []) - indicated)
            if unknown:
                raise ValueError(f"section {s.code}: no question indicates {', '.join(unknown)}")
        if not any(q.type == "yes_no" for q in self.questions()):
            raise ValueError("an instrument needs at least one yes/no question for its guidance")
        return self

    # ---------------------------------------------------------------- reading it
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions() if q.code == code), None)

    def section_of(self, code: str) -> Section | None:
        return next((s for s in self.sections if any(q.code == code for q in s.questions)), None)

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)

    def lowest(self) -> Level:
        return min(self.levels, key=lambda lv: lv.rank)


def _unique(items: list[Any], what: str) -> None:
    dupes = sorted({str(i) for i in items if items.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} must be unique: {', '.join(dupes)} repeated")


class InstrumentError(ValueError):
    """A document that is not a valid instrument: `field` is where (dotted), `message` what is wrong."""

    def __init__(self, message: str, field: str = "definition") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parse(document: str | bytes | dict[str, Any]) -> Instrument:
    """An instrument from its JSON text (or parsed JSON), or InstrumentError naming the first problem."""
    if isinstance(document, str | bytes):
        if len(document) > MAX_DOCUMENT_BYTES:
            raise InstrumentError(f"an instrument file is at most {MAX_DOCUMENT_BYTES} bytes")
        try:
            data = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InstrumentError(f"not JSON: {exc}") from None
        except RecursionError:
            raise InstrumentError("nested too deeply to be an instrument") from None
    else:
        data = document
    if not isinstance(data, dict):
        raise InstrumentError("an instrument is a JSON object")
    if data.get("format") != FORMAT:
        raise InstrumentError(f"format must be {FORMAT}", "definition.format")
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise InstrumentError(f"{loc + ': ' if loc else ''}{msg}",
                              f"definition.{loc}" if loc else "definition") from None


def canonical(instrument: Instrument) -> dict[str, Any]:
    """The instrument as stored: every default written out, so a stored version reads the same forever."""
    return instrument.model_dump(mode="json")


def digest(instrument: Instrument) -> str:
    """A fingerprint of the definition: loading a version again with other content is refused."""
    return hashlib.sha256(json.dumps(canonical(instrument), sort_keys=True).encode()).hexdigest()
