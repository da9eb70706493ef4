"""Single-case learning reports (safeguard K1).

A report ("Case 2 Issue 41 – Call handling") has a title, an introduction
"raising issues about" a few points, the areas it is relevant to, an
overview of the incident, the type of investigation, numbered findings,
local and/or national recommendations, the responses to them, outcomes for
officers and staff, and questions to consider.

The document is first cut into sections at its headings; each section is
then read on its own, so a missing or reordered section only affects itself
and is named in a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import FoundDate, find_date_or_month
from .headings import MANAGERS, STAFF, is_outcomes_heading, question_audience
from .models import ParsedDocument, ParsedRecommendation
from .text import (
    Unit,
    ends_sentence,
    find_urls,
    is_link,
    labelled_themes,
    link_text,
    parse_number_list,
    render,
    split_cells,
    strip_colon,
    title_like,
    unique,
)

_HEADER_RE = re.compile(
    r"^(?:case\s+(?P<case>\d+)\s*[-–—,:]?\s*issue\s+(?P<issue>\d+)"
    r"|issue\s+(?P<issue2>\d+)\s*[-–—,:]?\s*case\s+(?P<case2>\d+))\s*[-–—:|]?\s*(?P<theme>.*)$",
    re.I,
)
_PUBLISHED_RE = re.compile(r"^(?:published|date(?:\s+published)?)\s*:?\s*(?P<date>.+)$", re.I)
_RAISING_RE = re.compile(r",?\s*raising\s+(?:the\s+following\s+)?issues\s+about\s*:?\s*$", re.I)
_RELEVANT_RE = re.compile(r"relevant\s+to\s+(?:the\s+following\s+areas|these\s+areas|the\s+areas\s+below)\s*:?$", re.I)
_NUMBERS = r"\d+(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)\d+)*"
_SCOPE_HEADING_RE = re.compile(r"^(?P<scope>local|national)\s+recommendations$", re.I)
_FINDING_RE = re.compile(r"^(?:key\s+)?finding\s+(?P<number>\d+)$", re.I)
_RECOMMENDATION_RE = re.compile(rf"^(?:(?P<scope>local|national)\s+)?recommendations?\s+(?P<numbers>{_NUMBERS})$", re.I)
_RESPONSE_LABEL_RE = re.compile(
    rf"^response\s+to\s+(?:(?P<scope>local|national)\s+)?recommendations?\s+(?P<numbers>{_NUMBERS})$", re.I
)

_OVERVIEW = (
    r"^(?:overview(?:\s+of\s+(?:the\s+)?(?:incident|case|events))?"
    r"|summary\s+of\s+(?:the\s+)?incident|what\s+happened)$"
)
_SECTION_PATTERNS = [
    ("overview", re.compile(_OVERVIEW, re.I)),
    ("investigation_type", re.compile(r"^(?:type\s+of\s+investigation|investigation\s+type)$", re.I)),
    ("findings", re.compile(r"^(?:(?:key\s+)?findings(?:\s+and\s+recommendations)?|recommendations)$", re.I)),
    ("responses", re.compile(r"^responses?\s+to\s+(?:the\s+)?recommendations?$", re.I)),
    ("questions", re.compile(r"^questions\s+to\s+consider$", re.I)),
]


def _section_of(unit: Unit) -> str | None:
    """Which report section this unit is the heading of, if any."""
    if unit.bullet or len(unit.text) > 100:
        return None
    text = strip_colon(unit.text)
    for name, pattern in _SECTION_PATTERNS:
        if pattern.match(text):
            return name
    if is_outcomes_heading(unit):
        return "outcomes"
    if question_audience(unit):
        return "questions"
    return None


def _split_sections(units: list[Unit]) -> tuple[list[Unit], dict[str, list[Unit]]]:
    """Front matter, and the units under each section heading.

    Question audience headings are kept inside the "questions" section so
    its reader can tell managers' questions from staff questions.
    """
    front: list[Unit] = []
    sections: dict[str, list[Unit]] = {}
    current: list[Unit] = front
    for unit in units:
        name = _section_of(unit)
        if name == "questions" and question_audience(unit):
            current = sections.setdefault("questions", [])
            current.append(unit)
        elif name:
            current = sections.setdefault(name, [])
        else:
            current.append(unit)
    return front, sections


@dataclass
class _Front:
    """What the front matter says."""

    issue: int | None = None
    case_number: int | None = None
    theme: str = ""
    labelled_themes: list[str] = field(default_factory=list)
    date: FoundDate | None = None
    title: str = ""
    summary: str = ""
    raising: list[str] = field(default_factory=list)
    relevant: list[str] = field(default_factory=list)


def _read_header(front: list[Unit], result: _Front) -> int:
    """Fill issue, case number, theme and date; return where the header lines end."""
    header_end = 0
    for index, unit in enumerate(front):
        match = _HEADER_RE.match(unit.text)
        if match:
            result.issue = int(match["issue"] or match["issue2"])
            result.case_number = int(match["case"] or match["case2"])
            result.theme = _theme(match["theme"])
            header_end = index + 1
            break
    published = next((m for u in front if (m := _PUBLISHED_RE.match(u.text)) and find_date_or_month(m["date"])), None)
    if published:
        result.date = find_date_or_month(published["date"])
    else:
        result.date = next((found for u in front[: header_end + 2] if (found := find_date_or_month(u.text))), None)
    for index, unit in enumerate(front[: header_end + 2]):
        if (published and unit.text == published.string) or find_date_or_month(unit.text):
            header_end = max(header_end, index + 1)
    return header_end


_MASTHEAD_RE = re.compile(
    r"\s*(?:[|–—-]\s*)?\b(?:learning\s+the\s+lessons|independent\s+office\s+for\s+police\s+conduct|iopc)\b.*$",
    re.I,
)


def _theme(text: str) -> str:
    """The theme after a report's "Case 2 Issue 41" header, without what a masthead or running header
    printed after it (a tab, then "Learning the Lessons magazine")."""
    text = text.strip(" -–—:|\t").split("\t")[0]
    text = re.split(r"\s[|·•]\s", text)[0]
    found = find_date_or_month(text)
    if found:  # "Custody – March 2022": the date is the header's, not the theme's
        text = text.replace(found[1], " ")
    return _MASTHEAD_RE.sub("", text).strip(" -–—:|,")


def _read_front(front: list[Unit]) -> _Front:
    """Header, title, the "raising issues about" introduction and the areas it is relevant to.

    The title is the line just before the introduction when there is one,
    because boilerplate (archive links, contact details) sits above it.
    """
    result = _Front()
    header_end = _read_header(front, result)
    result.labelled_themes = [theme for unit in front if (found := labelled_themes(unit)) for theme in found]
    intro = next((i for i, unit in enumerate(front) if _RAISING_RE.search(unit.text)), None)
    if intro is not None:
        result.summary = _RAISING_RE.sub("", front[intro].text)
        result.title = next((u.text for u in reversed(front[header_end:intro]) if _is_title_candidate(u)), "")
        result.raising = _items_after(front, intro)
    else:
        result.title = next((u.text for u in front[header_end:] if _is_title_candidate(u)), "")
    relevant = next((i for i, unit in enumerate(front) if _RELEVANT_RE.search(unit.text)), None)
    if relevant is not None:
        result.relevant = _areas_after(front, relevant)
    return result


def _is_title_candidate(unit: Unit) -> bool:
    """A title line, not contact details or boilerplate."""
    text = unit.text
    return (
        title_like(text, max_words=20)
        and "@" not in text
        and not find_urls([unit])
        and "\t" not in text
        and labelled_themes(unit) is None
    )


def _items_after(front: list[Unit], index: int) -> list[str]:
    """The bullet points straight after an introduction line."""
    items = []
    for unit in front[index + 1 :]:
        if not unit.bullet:
            break
        items.append(unit.text)
    return items


def _areas_after(front: list[Unit], index: int) -> list[str]:
    """Areas listed after "relevant to the following areas" (table cells or a list)."""
    areas: list[str] = []
    for unit in front[index + 1 :]:
        if ends_sentence(unit.text) or _RAISING_RE.search(unit.text):
            break
        areas += [unit.text] if unit.bullet else split_cells(unit.text)
    return areas


@dataclass
class _Recommendation:
    """A recommendation being read; ``units`` and ``response`` are filled as labels are met."""

    number: int
    scope: str | None
    units: list[Unit] = field(default_factory=list)
    response: list[Unit] = field(default_factory=list)
    has_response: bool = False


class _FindingsReader:
    """Reads findings, recommendations and responses.

    Labels ("Finding 2", "Local recommendation 1", "Local recommendations 2
    and 3") decide where the following text goes; a label naming several
    recommendations sends the text to each of them, so a shared response is
    recorded against every recommendation it answers.
    """

    def __init__(self) -> None:
        self.findings: list[list[Unit]] = []
        self.recommendations: list[_Recommendation] = []
        self.unmatched: list[str] = []
        self.scope: str | None = None
        self.mode = "findings"
        self.sinks: list[list[Unit]] = []
        self.labelled = False  # the section has named a recommendation

    def read(self, units: list[Unit], mode: str) -> None:
        """Read one section; ``mode`` is "findings" or "responses" (labels mean different things)."""
        self.mode, self.scope, self.sinks, self.labelled = mode, None, [], False
        for unit in units:
            self._read_unit(unit)

    def _read_unit(self, unit: Unit) -> None:
        """Act on a label, or send content to where the last label pointed."""
        text = "" if unit.bullet else strip_colon(unit.text)
        if match := _SCOPE_HEADING_RE.match(text):
            self.scope, self.sinks = match["scope"].lower(), []
        elif _FINDING_RE.match(text):
            self.findings.append([])
            self.sinks = [self.findings[-1]]
        elif match := _RESPONSE_LABEL_RE.match(text):
            self._start_responses(match)
        elif match := _RECOMMENDATION_RE.match(text):
            if self.mode == "responses":
                self._start_responses(match)
            else:
                self._start_recommendations(parse_number_list(match["numbers"]), match["scope"])
        elif self.sinks:
            for sink in self.sinks:
                sink.append(unit)
        elif self.mode == "findings" and self.scope:
            self._start_recommendations([self._next_number()], None)
            self.sinks[0].append(unit)
        elif self.mode == "findings":
            self.findings.append([unit])
        elif not self.labelled and len(self.recommendations) == 1:  # an unlabelled response: the only one
            self.recommendations[0].has_response = True
            self.sinks = [self.recommendations[0].response]
            self.sinks[0].append(unit)

    def _next_number(self) -> int:
        """Number for an unlabelled recommendation under a "National recommendations" heading."""
        return len([r for r in self.recommendations if r.scope == self.scope]) + 1

    def _start_recommendations(self, numbers: list[int], scope: str | None) -> None:
        """Open one recommendation per number; following text goes to all of them."""
        scope = scope.lower() if scope else self.scope
        started = [_Recommendation(number, scope) for number in numbers]
        self.recommendations += started
        self.sinks = [recommendation.units for recommendation in started]

    def _start_responses(self, match: re.Match) -> None:
        """Point following text at the responses of the recommendations named by the label."""
        scope = match["scope"].lower() if match["scope"] else self.scope
        self.sinks, self.labelled = [], True
        for number in parse_number_list(match["numbers"]):
            found = self._find(number, scope)
            if found:
                found.has_response = True
                self.sinks.append(found.response)
            else:
                self.unmatched.append(f"{scope + ' ' if scope else ''}recommendation {number}")

    def _find(self, number: int, scope: str | None) -> _Recommendation | None:
        """The one recommendation a response label means; None if missing or ambiguous."""
        matches = [r for r in self.recommendations if r.number == number and (scope is None or r.scope == scope)]
        return matches[0] if len(matches) == 1 else None


def _read_questions(units: list[Unit]) -> dict[str, list[str]]:
    """Questions to consider, split by audience."""
    questions: dict[str, list[str]] = {MANAGERS: [], STAFF: []}
    audience: str | None = None
    for unit in units:
        heading = question_audience(unit)
        if heading:
            audience = heading
        elif audience and (unit.bullet or unit.text.endswith("?")):
            questions[audience].append(unit.text)
        elif audience and questions[audience]:
            break
    return questions


def _recommendation(found: _Recommendation) -> ParsedRecommendation:
    """Case-report recommendations carry no acceptance decision: the response text says it."""
    return ParsedRecommendation(
        number=found.number, scope=found.scope, text=render(found.units), response=render(found.response)
    )


@dataclass
class _Body:
    """The narrative sections of a report."""

    overview: str
    investigation_type: str
    outcomes: list[str]
    questions: dict[str, list[str]]


def _read_body(sections: dict[str, list[Unit]]) -> _Body:
    """Overview (links to further information kept in place), investigation type, outcomes, questions."""
    overview = [u for u in sections.get("overview", []) if not is_link(u) or find_urls([u])]
    return _Body(
        overview=render(overview),
        investigation_type=" ".join(u.text for u in sections.get("investigation_type", [])),
        outcomes=[u.text for u in _outcome_units(sections.get("outcomes", []))],
        questions=_read_questions(sections.get("questions", [])),
    )


def _is_outcome(unit: Unit) -> bool:
    """An outcome is a list item or a sentence; a bare name or label after the outcomes is not one."""
    return not is_link(unit) and (unit.bullet or ends_sentence(unit.text) or len(unit.text.split()) > 8)


def _outcome_units(units: list[Unit]) -> list[Unit]:
    return [unit for unit in units if _is_outcome(unit)]


def _back_matter(units: list[Unit]) -> str:
    """What stood under the outcomes heading but is not an outcome (a bare name, a label), kept."""
    return render([unit for unit in units if not _is_outcome(unit) and not is_link(unit)])


def _warnings(front: _Front, sections: dict[str, list[Unit]], reader: _FindingsReader, body: _Body) -> list[str]:
    """Name every expected part of the report that was not found."""
    expected = [
        (front.issue is not None, "issue number not found"),
        (front.case_number is not None, "case number not found"),
        (front.date is not None, "publication date not found"),
        (bool(front.title), "title not found"),
        (bool(front.raising), "'raising issues about' points not found"),
        (bool(front.relevant), "'relevant to the following areas' not found"),
        (bool(body.overview), "overview of incident not found"),
        (bool(body.investigation_type), "type of investigation not found"),
        (bool(reader.findings), "findings not found"),
        (bool(reader.recommendations), "recommendations not found"),
        (bool(body.outcomes), "outcomes for officers and staff not found"),
        (bool(body.questions[MANAGERS]), "questions for policy makers and managers not found"),
        (bool(body.questions[STAFF]), "questions for police officers and police staff not found"),
    ]
    warnings = [f"Case report: {message}" for present, message in expected if not present]
    for found in reader.recommendations:
        if not found.has_response:
            scope = f"{found.scope} " if found.scope else ""
            warnings.append(f"Case report: no response found for {scope}recommendation {found.number}")
    for label in reader.unmatched:
        warnings.append(f"Case report: a response was given for {label}, which was not found")
    if "responses" not in sections and reader.recommendations:
        warnings.append("Case report: 'Response to the recommendations' section not found")
    return warnings


def parse_case_report(units: list[Unit]) -> ParsedDocument:
    """Parse a single-case learning report from canonical units."""
    front_units, sections = _split_sections(units)
    front = _read_front(front_units)
    reader = _FindingsReader()
    reader.read(sections.get("findings", []), "findings")
    reader.read(sections.get("responses", []), "responses")
    body = _read_body(sections)
    links = find_urls(units) + [link_text(u) for u in units if is_link(u) and not find_urls([u])]
    return ParsedDocument(
        kind="case_report",
        title=front.title,
        issue=front.issue,
        case_number=front.case_number,
        date=front.date[0] if front.date else None,
        date_text=front.date[1] if front.date else "",
        themes=unique(([front.theme] if front.theme else []) + front.labelled_themes),
        summary=front.summary,
        raising_issues=front.raising,
        relevant_to=front.relevant,
        overview=body.overview,
        investigation_type=body.investigation_type,
        findings=[render(units) for units in reader.findings if units],
        recommendations=[_recommendation(found) for found in reader.recommendations],
        outcomes=body.outcomes,
        questions_managers=body.questions[MANAGERS],
        questions_staff=body.questions[STAFF],
        links=unique(links),
        back_matter=_back_matter(sections.get("outcomes", [])),
        warnings=_warnings(front, sections, reader, body),
    )
